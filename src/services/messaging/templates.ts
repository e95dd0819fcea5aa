// The texts of every message Opal sends, in English and Simplified Chinese (帐号, 您). Each kind
// has an e-mail subject and body and an SMS text; `{brand}` is the operator's brand name.
// contact-changed goes to the OLD address after an e-mail or phone change: what changed and when,
// and what to do if it was not the person (no link that undoes anything).
import type { Channel, OutgoingMessage } from './message.ts';

export type MessageKind = 'signup-code' | 'signup-exists' | 'reset-link' | 'reset-code' | 'contact-code' | 'contact-changed';
export type MessageLocale = 'en' | 'zh-CN';

export interface MessageParams {
  brand: string;
  /** One-time code (signup-code, reset-code). */
  code?: string;
  /** Link (reset-link, signup-exists: the recovery page). */
  url?: string;
  /** Minutes the code or link stays valid. */
  minutes?: number;
  /** contact-changed: which address changed, to what (masked) and when (UTC, `YYYY-MM-DD HH:MM`). */
  changed?: 'email' | 'phone';
  newAddress?: string;
  at?: string;
}

type Texts = { subject: (p: MessageParams) => string; email: (p: MessageParams) => string; sms: (p: MessageParams) => string };

const EN: Record<MessageKind, Texts> = {
  'signup-code': {
    subject: (p) => `${p.brand}: your verification code`,
    email: (p) =>
      `Your verification code is ${p.code}.\n\nEnter it on the sign-up page within ${p.minutes} minutes to finish creating your account.\nIf you did not ask for it, ignore this message.\n`,
    sms: (p) => `${p.brand}: your verification code is ${p.code} (valid ${p.minutes} min). Do not share it.`,
  },
  'signup-exists': {
    subject: (p) => `${p.brand}: you already have an account`,
    email: (p) =>
      `Someone tried to create an account with this address, but it already belongs to an account.\nIf that was you, sign in or reset your password: ${p.url}\nIf not, ignore this message.\n`,
    sms: (p) => `${p.brand}: this number already belongs to an account. Forgot your password? ${p.url}`,
  },
  'reset-link': {
    subject: (p) => `${p.brand}: reset your password`,
    email: (p) =>
      `Open this link within ${p.minutes} minutes to choose a new password:\n${p.url}\n\nIf you did not ask for it, ignore this message; your password stays as it is.\n`,
    sms: (p) => `${p.brand}: reset your password: ${p.url}`,
  },
  'reset-code': {
    subject: (p) => `${p.brand}: your password reset code`,
    email: (p) => `Your password reset code is ${p.code} (valid ${p.minutes} minutes).\nIf you did not ask for it, ignore this message.\n`,
    sms: (p) => `${p.brand}: your password reset code is ${p.code} (valid ${p.minutes} min). Do not share it.`,
  },
  'contact-code': {
    subject: (p) => `${p.brand}: confirm your new address`,
    email: (p) =>
      `Your confirmation code is ${p.code}.\n\nEnter it in the account center within ${p.minutes} minutes to use this address for your account.\nIf you did not ask for it, ignore this message.\n`,
    sms: (p) => `${p.brand}: your confirmation code is ${p.code} (valid ${p.minutes} min). Do not share it.`,
  },
  'contact-changed': {
    subject: (p) => `${p.brand}: the ${p.changed === 'phone' ? 'phone number' : 'e-mail address'} of your account was changed`,
    email: (p) =>
      `The ${p.changed === 'phone' ? 'phone number' : 'e-mail address'} of your ${p.brand} account was changed to ${p.newAddress} on ${p.at} (UTC).\nThis address no longer receives the account's messages or password resets.\n\nIf you made this change, there is nothing to do.\nIf you did not: sign in at ${p.url} and change your password at once, set your address again and sign out the other sessions. If you cannot sign in, contact the operator of ${p.brand}.\n`,
    sms: (p) =>
      `${p.brand}: the ${p.changed === 'phone' ? 'phone number' : 'e-mail address'} of your account was changed on ${p.at} UTC. Not you? Sign in and change your password: ${p.url}`,
  },
};

const ZH: Record<MessageKind, Texts> = {
  'signup-code': {
    subject: (p) => `${p.brand}：您的验证码`,
    email: (p) =>
      `您的验证码是 ${p.code}。\n\n请在 ${p.minutes} 分钟内在注册页面输入，以完成帐号创建。\n如果这不是您本人的操作，请忽略本邮件。\n`,
    sms: (p) => `【${p.brand}】您的验证码是 ${p.code}，${p.minutes} 分钟内有效，请勿泄露。`,
  },
  'signup-exists': {
    subject: (p) => `${p.brand}：您已有帐号`,
    email: (p) =>
      `有人尝试使用此地址注册帐号，但该地址已属于一个帐号。\n如果是您本人，请登录或重设密码：${p.url}\n如果不是，请忽略本邮件。\n`,
    sms: (p) => `【${p.brand}】此号码已属于一个帐号。忘记密码？${p.url}`,
  },
  'reset-link': {
    subject: (p) => `${p.brand}：重设您的密码`,
    email: (p) =>
      `请在 ${p.minutes} 分钟内打开以下链接设置新密码：\n${p.url}\n\n如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n`,
    sms: (p) => `【${p.brand}】重设您的密码：${p.url}`,
  },
  'reset-code': {
    subject: (p) => `${p.brand}：您的密码重设验证码`,
    email: (p) => `您的密码重设验证码是 ${p.code}，${p.minutes} 分钟内有效。\n如果这不是您本人的操作，请忽略本邮件。\n`,
    sms: (p) => `【${p.brand}】您的密码重设验证码是 ${p.code}，${p.minutes} 分钟内有效，请勿泄露。`,
  },
  'contact-code': {
    subject: (p) => `${p.brand}：确认您的新地址`,
    email: (p) =>
      `您的确认码是 ${p.code}。\n\n请在 ${p.minutes} 分钟内在帐号中心输入，以便您的帐号使用此地址。\n如果这不是您本人的操作，请忽略本邮件。\n`,
    sms: (p) => `【${p.brand}】您的确认码是 ${p.code}，${p.minutes} 分钟内有效，请勿泄露。`,
  },
  'contact-changed': {
    subject: (p) => `${p.brand}：您帐号的${p.changed === 'phone' ? '手机号码' : '电子邮件地址'}已更改`,
    email: (p) =>
      `您的 ${p.brand} 帐号的${p.changed === 'phone' ? '手机号码' : '电子邮件地址'}已于 ${p.at}（UTC）更改为 ${p.newAddress}。\n此地址将不再接收该帐号的消息和密码重设。\n\n如果是您本人的操作，无需任何处理。\n如果不是：请立即在 ${p.url} 登录并修改密码，重新设置您的地址，并退出其他会话。如果您无法登录，请联系 ${p.brand} 的运营方。\n`,
    sms: (p) =>
      `【${p.brand}】您帐号的${p.changed === 'phone' ? '手机号码' : '电子邮件地址'}已于 ${p.at}（UTC）更改。如非本人操作，请登录并修改密码：${p.url}`,
  },
};

export const TEMPLATES: Record<MessageLocale, Record<MessageKind, Texts>> = { en: EN, 'zh-CN': ZH };

/** Renders message `kind` for `channel` in `locale` (anything but zh-CN reads English). */
export function renderMessage(kind: MessageKind, channel: Channel, to: string, locale: string, p: MessageParams): OutgoingMessage {
  const loc: MessageLocale = locale === 'zh-CN' ? 'zh-CN' : 'en';
  const t = TEMPLATES[loc][kind];
  return {
    channel,
    to,
    kind,
    locale: loc,
    subject: channel === 'email' ? t.subject(p) : '',
    text: channel === 'email' ? t.email(p) : t.sms(p),
  };
}
