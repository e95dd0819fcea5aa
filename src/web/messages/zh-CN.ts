// 简体中文页面文本（键与 en.ts 一致）。
import type { Messages } from './en.ts';

export const zhCN: Messages = {
  common: {
    appTitle: 'Opal 帐号',
    signIn: '登录',
    signOut: '退出登录',
    error: '错误',
    errorCode: '错误码：{{code}}',
  },
  login: {
    title: '登录',
    continueTo: '登录以继续使用 {{app}}',
    account: '帐号、邮箱或手机号',
    password: '密码',
    submit: '登录',
    invalid: '帐号或密码错误。',
    throttled: '尝试次数过多，请在 {{seconds}} 秒后重试。',
    signedInAs: '您已登录为 {{account}}。',
    switchNote: '当前登录帐号为 {{account}}，请在下方登录其他帐号。',
    badForm: '表单已过期，请重试。',
  },
  logout: {
    title: '退出登录',
    confirm: '确定退出 {{account}} 吗？',
    submit: '退出登录',
    done: '您已退出登录。',
  },
  consent: {
    title: '授权 {{app}}',
    intro: '{{app}} 请求以下权限：',
    account: '当前帐号：{{account}}',
    switchAccount: '切换帐号',
    allow: '允许',
    deny: '拒绝',
  },
  scope: {
    '1': '获取您的个人资料（昵称和头像）',
    '2': '获取您的好友列表',
    '3': '获取您在此应用中的帐号标识（openId）',
    '4': '获取您的手机号',
    '5': '修改您的个人资料',
    '6': '获取您的邮箱地址',
    '16000': '获取您的卡包卡券',
    other: '使用权限 {{id}}',
  },
  errors: {
    title: '无法处理此请求',
    '96001': '应用不存在或未开通帐号服务。',
    '96002': '请求缺少必需参数或格式错误。',
    '96010': '回调地址与应用注册信息不符。',
    csrf: '表单已过期或并非由本站提交，请返回重试。',
    crossOrigin: '此表单由其他网站提交，未做任何更改。请直接打开本站后重试。',
    internal: '服务器出了点问题，请稍后再试。',
  },
};
