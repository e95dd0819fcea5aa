// 自助服务页面（注册、找回密码、首页、404、开发者发件箱）的简体中文文本，键与 self-service-en.ts 一致。
import type { SelfServiceMessages } from './self-service-en.ts';

export const selfServiceZhCN: SelfServiceMessages = {
  outbox: {
    title: '开发者发件箱',
    intro: '这里显示 Opal 本应发送的所有消息（未配置邮件服务器或短信网关）。保留最近 {{count}} 条，最新的在前。',
    empty: '暂无消息。',
    email: '邮件',
    sms: '短信',
    meta: '发送至 {{to}}（{{channel}}），{{when}}',
  },
  notFound: {
    title: '页面不存在',
    text: '此地址没有页面。',
    home: '返回首页',
  },
};
