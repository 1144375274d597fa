/** The names a template may use (the server's TEMPLATE_VARIABLES), and what each holds. */
const VARIABLES = [
  ['{{link_url}}', 'The link. Every body and the SMS must contain it.'],
  ['{{app_name}}', 'The app’s name.'],
  ['{{expires_in}}', 'How long the link lasts, in words of the template’s language (“15 Minuten”).'],
  [
    '{{code}}',
    'The one-time code, when the message carries one: put what mentions it in {{#code}}…{{/code}}.',
  ],
  ['{{identifier}}', 'The email address or phone number the message goes to.'],
  ['{{#is_email}}…{{/is_email}}', 'Shown only when the link is for an email address.'],
  [
    '{{#is_phone}}…{{/is_phone}}',
    'Shown only when the link is for a phone number; {{^is_phone}} is the opposite.',
  ],
] as const;

export function TemplateVariables() {
  return (
    <details className="template-variables">
      <summary>Variables you can use</summary>
      <dl>
        {VARIABLES.map(([name, meaning]) => (
          <div key={name}>
            <dt>
              <code>{name}</code>
            </dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        Values are escaped in the HTML body; <code>{'{{{…}}}'}</code>, partials and other names are refused.
      </p>
    </details>
  );
}
