import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError } from '../api.js';
import { useApi } from '../api-context.js';
import { CheckboxField } from '../forms/checkbox-field.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { SelectField } from '../forms/select-field.js';
import { TextField } from '../forms/text-field.js';
import { TextAreaField } from '../forms/textarea-field.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { appKey, useAppId, useAppMutation, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { TemplatePreview } from './template-preview.js';
import {
  LANGUAGES,
  LINK_TYPES,
  languageLabel,
  overriddenParts,
  TEMPLATE_PARTS,
  type TemplatePart,
  type TemplateParts,
  type TemplateView,
  typeLabel,
} from './template-types.js';
import { TemplateVariables } from './template-variables.js';
import { useDebounced } from './use-debounced.js';

const PARTS: readonly string[] = TEMPLATE_PARTS;

/** `/templates/:type/:language`: the type and language to edit, chosen here too, and the editor of that one. */
export function TemplateEditorScreen({ type, language }: { type: string; language: string }) {
  const [, navigate] = useLocation();
  // Kept above the editor, which starts afresh with each saved version: "Saved" outlives the remount. Only said for
  // the template it was about.
  const [notice, setNoticeFor] = useState<{ about: string; text: string }>();
  const about = `${type}/${language}`;
  const setNotice = (text: string | undefined) => setNoticeFor(text ? { about, text } : undefined);
  const known = LINK_TYPES.some((t) => t.value === type) && LANGUAGES.some((l) => l.value === language);
  const template = useAppQuery(
    ['templates', 'one', type, language],
    (api, app) => api.v1<TemplateView>('GET', `/templates/${type}/${language}`, { app }),
    { enabled: known },
  );
  const title = known ? `${typeLabel(type)} · ${languageLabel(language)}` : 'Template';
  return (
    <section className="screen template-editor" aria-labelledby="screen-title">
      <ScreenTitle>{title}</ScreenTitle>
      <p>
        <Link href="/">All templates</Link>
      </p>
      {!known ? (
        <p className="empty-state">
          There is no such template. Choose one from <Link href="/">the list of templates</Link>.
        </p>
      ) : (
        <>
          <div className="toolbar template-choice">
            <SelectField
              label="Link type"
              value={type}
              options={LINK_TYPES}
              onChange={(event) => navigate(`/${event.target.value}/${language}`)}
            />
            <SelectField
              label="Language"
              value={language}
              options={LANGUAGES}
              onChange={(event) => navigate(`/${type}/${event.target.value}`)}
            />
          </div>
          {template.isPending && <p role="status">Loading…</p>}
          <FormError message={template.error?.message} />
          {template.data && (
            // A fresh editor for each template and each saved version of it: the draft starts from what is stored.
            <TemplateEditor
              key={`${type}/${language}/${template.data.updated_at ?? 'built-in'}`}
              template={template.data}
              notice={notice?.about === about ? notice.text : undefined}
              setNotice={setNotice}
            />
          )}
        </>
      )}
    </section>
  );
}

function changedParts(draft: TemplateParts, saved: TemplateParts): Partial<TemplateParts> {
  const changes: Partial<TemplateParts> = {};
  for (const part of TEMPLATE_PARTS) if (draft[part] !== saved[part]) changes[part] = draft[part];
  return changes;
}

interface TemplateEditorProps {
  template: TemplateView;
  notice: string | undefined;
  setNotice: (text: string | undefined) => void;
}

function TemplateEditor({ template, notice, setNotice }: TemplateEditorProps) {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  const { operator } = useSignedIn();
  // Saving, resetting and test sends are an admin's (dashboard/roles.ts); others read and preview.
  const mayChange = operator.role === 'owner' || operator.role === 'admin';
  const { type, language } = template;
  const [draft, setDraft] = useState<TemplateParts>({
    subject: template.subject,
    text: template.text,
    html: template.html,
    sms: template.sms,
  });
  const [withCode, setWithCode] = useState(false);
  // Verification messages say "address" or "number" by the recipient's kind; the preview can show either.
  const [kind, setKind] = useState<'email' | 'phone'>('email');
  const changes = useMemo(() => changedParts(draft, template), [draft, template]);
  const dirty = Object.keys(changes).length > 0;
  const overridden = overriddenParts(template);

  // The server's own checks, as the operator types: its error names the part, shown under that field.
  const request = useDebounced(JSON.stringify({ changes, withCode, kind }), 350);
  const preview = useAppQuery(
    ['templates', 'preview', type, language, request],
    (api, app) => {
      const {
        changes: parts,
        withCode: code,
        kind: identifierKind,
      } = JSON.parse(request) as {
        changes: Partial<TemplateParts>;
        withCode: boolean;
        kind: 'email' | 'phone';
      };
      return api.v1<TemplateParts>('POST', '/templates/preview', {
        app,
        body: { type, language, ...parts, code, identifier_kind: identifierKind },
      });
    },
    { placeholderData: keepPreviousData, retry: false, staleTime: Number.POSITIVE_INFINITY },
  );

  const invalidate = () => client.invalidateQueries({ queryKey: appKey(appId, 'templates') });
  const save = useAppMutation(
    (api, app, parts: Partial<TemplateParts>) =>
      api.v1<TemplateView>('PUT', `/templates/${type}/${language}`, { app, body: parts }),
    { invalidates: [['templates']], onSuccess: () => setNotice('Saved. New messages use it from now on.') },
  );
  const sendTest = useAppMutation((api, app, parts: Partial<TemplateParts>) =>
    api.v1<{ to: string; answer: { detail: string } }>('POST', `/templates/${type}/${language}/test`, {
      app,
      body: { to: operator.email, ...parts, code: withCode },
    }),
  );

  const saveErrors = formErrorsOf(save.error, PARTS);
  const previewErrors = formErrorsOf(preview.error, PARTS);
  const testErrors = formErrorsOf(sendTest.error, PARTS);
  const fieldError = (part: TemplatePart) =>
    saveErrors.fields[part] ?? previewErrors.fields[part] ?? testErrors.fields[part];
  const edit = (part: TemplatePart) => (event: { target: { value: string } }) => {
    setNotice(undefined);
    save.reset();
    setDraft((current) => ({ ...current, [part]: event.target.value }));
  };
  const partHint = (part: TemplatePart, hint: string) =>
    part in changes
      ? `${hint} Changed, not saved yet.`
      : template.overridden[part]
        ? `${hint} This app's own text.`
        : `${hint} Built in.`;

  return (
    <div className="template-layout">
      <form
        className="template-form"
        aria-label="The template"
        onSubmit={(event) => {
          event.preventDefault();
          if (dirty) save.mutate(changes);
        }}
      >
        <p className="muted">
          {overridden.length === 0 ? (
            'Built in: nothing of this template is the app’s own yet.'
          ) : (
            <>
              The app’s own: {overridden.join(', ')}
              {template.updated_at && (
                <>
                  , saved <LocalTime value={template.updated_at} />
                </>
              )}
              .
            </>
          )}
        </p>
        <TemplateVariables />
        <TextField
          label="Subject"
          hint={partHint('subject', 'One line, at most 200 characters.')}
          value={draft.subject}
          error={fieldError('subject')}
          onChange={edit('subject')}
        />
        <TextAreaField
          label="Plain text"
          hint={partHint('text', 'For mail clients that show no HTML; must contain {{link_url}}.')}
          rows={10}
          spellCheck
          value={draft.text}
          error={fieldError('text')}
          onChange={edit('text')}
        />
        <TextAreaField
          label="HTML"
          hint={partHint('html', 'The email as most people see it; must contain {{link_url}}.')}
          rows={12}
          spellCheck={false}
          className="code-area"
          value={draft.html}
          error={fieldError('html')}
          onChange={edit('html')}
        />
        <TextAreaField
          label="SMS"
          hint={partHint('sms', 'Must contain {{link_url}}; at most 700 characters.')}
          rows={3}
          value={draft.sms}
          error={fieldError('sms')}
          onChange={edit('sms')}
        />
        <CheckboxField
          label="Show a sample one-time code"
          hint="Links made with a code show it in the message; the preview and the test use a sample one."
          checked={withCode}
          onChange={(event) => setWithCode(event.target.checked)}
        />
        <SelectField
          label="Preview for"
          hint="The sample recipient of the preview; a test goes to your own address."
          value={kind}
          options={[
            { value: 'email', label: 'An email address' },
            { value: 'phone', label: 'A phone number' },
          ]}
          onChange={(event) => setKind(event.target.value === 'phone' ? 'phone' : 'email')}
        />
        <FormError message={saveErrors.form ?? testErrors.form} />
        {mayChange ? (
          <>
            <div className="form-actions">
              <button type="submit" className="primary" disabled={!dirty || save.isPending}>
                {save.isPending ? 'Saving…' : 'Save'}
              </button>
              <button
                type="button"
                disabled={!dirty}
                onClick={() => {
                  setDraft({
                    subject: template.subject,
                    text: template.text,
                    html: template.html,
                    sms: template.sms,
                  });
                  setNotice(undefined);
                }}
              >
                Discard changes
              </button>
              <ConfirmButton
                label="Reset to built-in"
                title="Reset to the built-in template?"
                disabled={overridden.length === 0}
                onConfirm={() =>
                  api.v1('DELETE', `/templates/${type}/${language}`, { app: appId }).then(invalidate)
                }
                onDone={() => setNotice('Back to the built-in template.')}
              >
                <p>
                  The app’s own {overridden.join(', ')} of this template ({typeLabel(type)},{' '}
                  {languageLabel(language)}) are deleted, and its messages use Latchkey’s built-in text again.
                </p>
              </ConfirmButton>
            </div>
            <div className="form-actions">
              <button
                type="button"
                disabled={sendTest.isPending}
                onClick={() => {
                  setNotice(undefined);
                  sendTest.mutate(changes);
                }}
              >
                {sendTest.isPending ? 'Sending…' : 'Send a test to me'}
              </button>
              <p className="muted">
                The email, as drafted here, to {operator.email}, with a sample link that leads nowhere.
              </p>
            </div>
          </>
        ) : (
          <p className="muted">
            Your role ({operator.role}) may read and preview templates; saving them takes an admin.
          </p>
        )}
        <div aria-live="polite">
          {notice && <p className="editor-notice">{notice}</p>}
          {sendTest.data && !sendTest.isPending && (
            <p className="editor-notice">
              Sent to {sendTest.data.to}. The mail server said: {sendTest.data.answer.detail}
            </p>
          )}
        </div>
      </form>
      <TemplatePreview
        preview={preview.data}
        stale={
          preview.isFetching || preview.isError || request !== JSON.stringify({ changes, withCode, kind })
        }
        error={preview.error instanceof ApiError ? preview.error : undefined}
      />
    </div>
  );
}
