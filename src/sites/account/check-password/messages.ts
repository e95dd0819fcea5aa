// Texts of the checkPassword page (en, zh-CN).
import { addMessages } from '../../../web/i18n.ts';

let added = false;

export function addCheckPasswordMessages(): void {
  if (added) return;
  added = true;
  addMessages('checkPassword', {
    en: {
      title: 'Verify your password',
      intro: '{{app}} asks you to confirm your password.',
      account: 'Account:',
      password: 'Password',
      confirm: 'Confirm',
      cancel: 'Cancel',
      invalid: 'Wrong password. {{count}} attempts left.',
      throttled: 'Too many attempts. Try again in {{seconds}} seconds.',
      tooMany: 'Too many verifications were started from your network. Try again in a minute.',
      expired: 'This verification has expired. Return to the application and start again.',
      badForm: 'The form expired. Please try again.',
      noSecret: 'This application cannot receive verification results yet (its secret must be rotated).',
    },
    'zh-CN': {
      title: '验证帐号密码',
      intro: '{{app}} 请求您确认帐号密码。',
      account: '帐号：',
      password: '密码',
      confirm: '确认',
      cancel: '取消',
      invalid: '密码错误，还可以尝试 {{count}} 次。',
      throttled: '尝试次数过多，请 {{seconds}} 秒后再试。',
      tooMany: '您的网络发起的验证过多，请一分钟后再试。',
      expired: '本次验证已过期，请返回应用重新开始。',
      badForm: '表单已过期，请重试。',
      noSecret: '该应用暂时无法接收验证结果（需要更换应用密钥）。',
    },
  });
}
