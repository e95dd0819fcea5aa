// English texts of the self-service pages: sign-up, recovery, the landing and 404 pages, the
// developer outbox. Keys are shared with self-service-zh-CN.ts (merged into the page messages by
// i18n.ts).
export const selfServiceEn = {
  outbox: {
    title: 'Developer outbox',
    intro: 'Every message Opal would have sent (no mail server or SMS gateway is configured). The last {{count}} are kept, newest first.',
    empty: 'No messages yet.',
    email: 'e-mail',
    sms: 'SMS',
    meta: 'To {{to}} by {{channel}}, {{when}}',
  },
  notFound: {
    title: 'Page not found',
    text: 'There is no page at this address.',
    home: 'Go to the home page',
  },
};

export type SelfServiceMessages = typeof selfServiceEn;
