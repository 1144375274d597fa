import type { LanguageStrings } from './language-strings.js';

export const en: LanguageStrings = {
  login: {
    subject: 'Sign in to {{app_name}}',
    intro: 'Here’s your link to sign in to {{app_name}} as {{identifier}}.',
    button: 'Sign in',
    ignore: 'If you didn’t try to sign in, you can safely ignore this email.',
    sms: '{{app_name}}: sign in with {{link_url}}{{#code}} or enter code {{code}}{{/code}} (expires in {{expires_in}})',
  },
  verifyEmail: {
    subject: 'Verify your email for {{app_name}}',
    intro: 'Please confirm that {{identifier}} is your email address for {{app_name}}.',
    button: 'Verify my email',
    ignore: 'If you didn’t ask for this, you can safely ignore this email.',
    sms: '{{app_name}}: verify your email with {{link_url}}{{#code}} or enter code {{code}}{{/code}} (expires in {{expires_in}})',
  },
  verifyPhone: {
    subject: 'Verify your phone number for {{app_name}}',
    intro: 'Please confirm that {{identifier}} is your phone number for {{app_name}}.',
    button: 'Verify my phone number',
    ignore: 'If you didn’t ask for this, you can safely ignore this email.',
    sms: '{{app_name}}: verify your number with {{link_url}}{{#code}} or enter code {{code}}{{/code}} (expires in {{expires_in}})',
  },
  invite: {
    subject: 'You’re invited to join {{app_name}}',
    intro: 'You’ve been invited to join {{app_name}}. Accept the invitation to get started.',
    button: 'Accept the invitation',
    ignore: 'If you weren’t expecting this invitation, you can safely ignore this email.',
    sms: "You're invited to {{app_name}}: {{link_url}}{{#code}} or enter code {{code}}{{/code}} (expires in {{expires_in}})",
  },
  expires: 'This link expires in {{expires_in}}.',
  expiresWithCode: 'This link and the code expire in {{expires_in}}.',
  code: 'Or enter this code: {{code}}',
  copyLink: 'If the button doesn’t work, copy this link into your browser:',
};
