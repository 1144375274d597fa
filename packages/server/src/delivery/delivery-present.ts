/**
 * The answers of the delivery routes: the server's transports with every secret masked (delivery-status.ts builds
 * it), the doctor's checks of them, and the development outbox.
 */
import { Type } from 'typebox';
import { Named, Nullable, Timestamp } from '../http/schemas.js';

const Masked = (description: string) => Type.String({ description: `${description} Always \`********\`.` });

/** The transports this server sends with, every secret masked. */
export const DeliveryStatus = Named(
  'DeliveryStatus',
  Type.Object(
    {
      environment: Type.Union([Type.Literal('production'), Type.Literal('development')]),
      environment_detail: Type.String({
        description: 'What the environment changes for delivery, in words.',
      }),
      email: Type.Object({
        transport: Type.String({ description: '`smtp`, `log` (printed, development only) or `off`.' }),
        from: Type.String({ description: 'The sender address (LATCHKEY_SMTP_FROM).' }),
        smtp: Nullable(
          Type.Object(
            {
              host: Nullable(Type.String()),
              port: Nullable(Type.Integer()),
              secure: Nullable(Type.Boolean({ description: 'TLS from the start (smtps:).' })),
              user: Nullable(
                Type.String({
                  description: 'Shown when it is an address; otherwise masked but for its ends.',
                }),
              ),
              password: Nullable(Masked('Null when none is set.')),
            },
            {
              description:
                'Where LATCHKEY_SMTP_URL points (all null when it cannot be read); null without it.',
            },
          ),
        ),
        dkim: Nullable(
          Type.Object(
            { domain: Type.String(), selector: Type.String() },
            { description: 'The DKIM signature messages carry; null when they are not signed.' },
          ),
        ),
      }),
      sms: Type.Object({
        transport: Type.String({
          description: '`twilio`, `hook`, `log` (printed, development only) or `off`.',
        }),
        twilio: Nullable(
          Type.Object({
            account_sid: Type.String({
              description: 'Masked but for its first two and last four characters.',
            }),
            auth_token: Masked('The auth token.'),
            from: Type.String(),
            base_url: Type.String(),
          }),
        ),
        hook: Nullable(Type.Object({ url: Type.String(), secret: Masked('The hook’s signing secret.') })),
      }),
      outbox: Type.Object({
        worker: Type.Boolean({ description: 'This node runs the outbox worker.' }),
        max_attempts: Type.Integer({ description: 'Sends of a message before it is given up.' }),
        retry_base_seconds: Type.Number({
          description: 'The first retry’s delay; later ones back off from it.',
        }),
        lease_seconds: Type.Number({ description: 'How long a worker holds a message it is sending.' }),
      }),
    },
    {
      description: 'The email and SMS transports, secrets masked',
      examples: [
        {
          environment: 'production',
          environment_detail:
            'production (NODE_ENV=production): messages are never printed, and a channel without a transport is off',
          email: {
            transport: 'smtp',
            from: 'no-reply@auth.example.com',
            smtp: {
              host: 'smtp.example.com',
              port: 587,
              secure: false,
              user: 'mailer@example.com',
              password: '********',
            },
            dkim: { domain: 'example.com', selector: 'latchkey' },
          },
          sms: { transport: 'off', twilio: null, hook: null },
          outbox: { worker: true, max_attempts: 8, retry_base_seconds: 5, lease_seconds: 60 },
        },
      ],
    },
  ),
);

/** One of the checks `latchkey doctor` runs on a transport. */
export const DeliveryCheck = Named(
  'DeliveryCheck',
  Type.Object({
    name: Type.String({ description: 'The doctor’s line: `Email (smtp)`, `SMS (twilio)`.' }),
    channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
    transport: Type.String(),
    ok: Type.Boolean(),
    detail: Type.String({ description: 'What was found, or what is wrong and what to do, in words.' }),
  }),
);

export const DeliveryTestResult = Named(
  'DeliveryTestResult',
  Type.Object(
    {
      ok: Type.Boolean({ description: 'Both checks passed.' }),
      checks: Type.Array(DeliveryCheck),
    },
    {
      description: 'The checks of both transports (nothing was sent); `ok: false` is an answer, not an error',
      examples: [
        {
          ok: true,
          checks: [
            {
              name: 'Email (smtp)',
              channel: 'email',
              transport: 'smtp',
              ok: true,
              detail: 'Connected to smtp.example.com:587 and the server accepted the login.',
            },
            {
              name: 'SMS (off)',
              channel: 'sms',
              transport: 'off',
              ok: true,
              detail:
                'SMS is off. Sending SMS needs LATCHKEY_TWILIO_ACCOUNT_SID, LATCHKEY_TWILIO_AUTH_TOKEN and LATCHKEY_TWILIO_FROM, or LATCHKEY_SMS_HOOK_URL and LATCHKEY_SMS_HOOK_SECRET, and this server has none; …',
            },
          ],
        },
      ],
    },
  ),
);

/** A message a development transport printed instead of sending (delivery/dev-outbox.ts). */
export const DevOutboxMessage = Named(
  'DevOutboxMessage',
  Type.Object({
    id: Type.String({ description: 'The message id (`msg_…`).' }),
    app_id: Type.String(),
    channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
    to: Type.String(),
    subject: Nullable(Type.String({ description: 'Null for an SMS.' })),
    text: Type.String({ description: 'The text, live link included.' }),
    html: Nullable(Type.String({ description: 'Null for an SMS.' })),
    sent_at: Timestamp,
  }),
);
