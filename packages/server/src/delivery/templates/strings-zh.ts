import type { LanguageStrings } from './language-strings.js';

// Simplified Chinese, polite 您 as on the hosted pages. SMS start with the sender in 【】, as Chinese carriers
// expect, and end with the link followed by a space so that no full-width punctuation sticks to it.
export const zh: LanguageStrings = {
  login: {
    subject: '登录 {{app_name}}',
    intro: '这是您以 {{identifier}} 身份登录 {{app_name}} 的链接。',
    button: '登录',
    ignore: '如果不是您本人在登录，请忽略此邮件。',
    sms: '【{{app_name}}】登录链接（{{expires_in}}内有效）：{{link_url}} {{#code}}或输入验证码 {{code}}{{/code}}',
  },
  verifyEmail: {
    subject: '验证邮箱地址 · {{app_name}}',
    intro: '请确认 {{identifier}} 是您在 {{app_name}} 使用的邮箱地址。',
    button: '验证邮箱',
    ignore: '如果这不是您本人的操作，请忽略此邮件。',
    sms: '【{{app_name}}】邮箱验证链接（{{expires_in}}内有效）：{{link_url}} {{#code}}或输入验证码 {{code}}{{/code}}',
  },
  verifyPhone: {
    subject: '验证手机号码 · {{app_name}}',
    intro: '请确认 {{identifier}} 是您在 {{app_name}} 使用的手机号码。',
    button: '验证手机号码',
    ignore: '如果这不是您本人的操作，请忽略此邮件。',
    sms: '【{{app_name}}】手机号码验证链接（{{expires_in}}内有效）：{{link_url}} {{#code}}或输入验证码 {{code}}{{/code}}',
  },
  invite: {
    subject: '邀请您加入 {{app_name}}',
    intro: '您收到了加入 {{app_name}} 的邀请。接受邀请即可开始使用。',
    button: '接受邀请',
    ignore: '如果您并未期待这份邀请，可以放心忽略此邮件。',
    sms: '【{{app_name}}】邀请您加入（{{expires_in}}内有效）：{{link_url}} {{#code}}或输入验证码 {{code}}{{/code}}',
  },
  expires: '此链接{{expires_in}}内有效。',
  expiresWithCode: '链接和验证码{{expires_in}}内有效。',
  code: '或输入验证码：{{code}}',
  copyLink: '如果按钮无法使用，请将此链接复制到浏览器中打开：',
};
