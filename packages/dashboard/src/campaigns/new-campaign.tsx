import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useApi } from '../api-context.js';
import { formatCount } from '../format.js';
import { CheckboxField } from '../forms/checkbox-field.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { TextAreaField } from '../forms/textarea-field.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { appKey, useAppId } from '../ui/app-query.js';
import { type BulkProgress, runBulk } from './bulk-stream.js';
import type { BulkSummary, DryRunAnswer } from './campaign-types.js';
import { ColumnMapper } from './column-mapper.js';
import { guessMapping, linkRequests, type Mapping, mappingProblem } from './column-mapping.js';
import { parseCsv } from './csv-parse.js';
import { RowErrors } from './row-errors.js';

const DELIMITER_NAMES = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' } as const;

interface Run {
  total: number;
  progress: BulkProgress;
  summary?: BulkSummary;
  error?: string;
}

/**
 * A new campaign in three steps on one page: the rows (a file or pasted), which column is which, then a dry run that
 * checks every row as the real run would and creates nothing. Only a dry run of exactly the rows, mapping and
 * options on the page unlocks the real run, whose progress comes from the NDJSON answer as its batches commit.
 */
export function NewCampaign() {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [file, setFile] = useState<{ name: string; text: string } | undefined>();
  const [pasted, setPasted] = useState('');
  const [send, setSend] = useState(false);
  const [mappingState, setMapping] = useState<{ header: string; mapping: Mapping }>();
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<unknown>();
  const [dryRun, setDryRun] = useState<{ key: string; answer: DryRunAnswer }>();
  const [run, setRun] = useState<Run>();

  const text = file?.text ?? pasted;
  const parsed = useMemo(() => (text.trim() ? parseCsv(text) : undefined), [text]);
  const headerKey = parsed ? JSON.stringify(parsed.header) : '';
  // A new header (another file) starts from a fresh guess; the operator's own choices stay while it is the same.
  const mapping =
    parsed && mappingState?.header === headerKey ? mappingState.mapping : guessMapping(parsed?.header ?? []);
  const requests = useMemo(() => (parsed ? linkRequests(parsed.rows, mapping) : []), [parsed, mapping]);
  const problem = parsed
    ? parsed.unclosedQuote
      ? 'A quote (") is opened and never closed; check the file around its last rows.'
      : parsed.rows.length === 0
        ? 'The first line is the header; add at least one row under it.'
        : mappingProblem(mapping)
    : undefined;
  const inputKey = JSON.stringify([name.trim(), send, requests]);
  const checked = dryRun?.key === inputKey ? dryRun.answer : undefined;
  const running = run !== undefined && !run.summary && !run.error;
  const errors = formErrorsOf(checkError, ['campaign']);

  async function check() {
    setChecking(true);
    setCheckError(undefined);
    try {
      const answer = await api.v1<DryRunAnswer>('POST', '/magic-links/bulk', {
        app: appId,
        query: { campaign: name.trim(), send: send ? 'true' : undefined, dry_run: 'true' },
        body: requests,
      });
      setDryRun({ key: inputKey, answer });
    } catch (error) {
      setCheckError(error);
    } finally {
      setChecking(false);
    }
  }

  async function create() {
    const total = requests.length;
    setRun({ total, progress: { done: 0, failed: [] } });
    try {
      const summary = await runBulk(api, appId, { name: name.trim(), send, requests }, (progress) =>
        setRun({ total, progress }),
      );
      setRun((current) => current && { ...current, summary });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setRun((current) => current && { ...current, error: message });
    } finally {
      await client.invalidateQueries({ queryKey: appKey(appId, 'campaigns') });
    }
  }

  return (
    <section className="screen campaign-new" aria-labelledby="screen-title">
      <ScreenTitle>New campaign</ScreenTitle>
      <p>
        <Link href="/">All campaigns</Link>
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!problem && !running) void check();
        }}
      >
        <fieldset disabled={running || run?.summary !== undefined}>
          <legend>1. The rows</legend>
          <TextField
            label="Campaign name"
            hint="Shown in the list and in every link's campaign; up to 100 characters."
            required
            maxLength={100}
            value={name}
            error={errors.fields.campaign}
            onChange={(event) => setName(event.target.value)}
          />
          <div className="field">
            <label htmlFor="campaign-file">CSV file</label>
            <p id="campaign-file-hint" className="field-hint">
              A header line, then one row per link. Commas, semicolons or tabs; quoted fields may hold any of
              them.
            </p>
            <input
              id="campaign-file"
              ref={fileInput}
              type="file"
              accept=".csv,.tsv,.txt,text/csv,text/plain"
              aria-describedby="campaign-file-hint"
              onChange={async (event) => {
                const chosen = event.target.files?.[0];
                setFile(chosen ? { name: chosen.name, text: await chosen.text() } : undefined);
              }}
            />
          </div>
          {file ? (
            <p>
              Using <strong>{file.name}</strong>.{' '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  setFile(undefined);
                  if (fileInput.current) fileInput.current.value = '';
                }}
              >
                Paste rows instead
              </button>
            </p>
          ) : (
            <TextAreaField
              label="Or paste the rows"
              hint="From a spreadsheet (tabs) or a CSV file, header line first."
              rows={6}
              spellCheck={false}
              value={pasted}
              onChange={(event) => setPasted(event.target.value)}
            />
          )}
        </fieldset>

        {parsed && (
          <fieldset disabled={running || run?.summary !== undefined}>
            <legend>2. Which column is which</legend>
            <p className="muted">
              {formatCount(parsed.rows.length)} rows, {parsed.header.length} columns separated by{' '}
              {DELIMITER_NAMES[parsed.delimiter]}. An empty cell leaves its field out.
            </p>
            <ColumnMapper
              header={parsed.header}
              firstRow={parsed.rows[0]}
              mapping={mapping}
              disabled={running}
              onChange={(next) => setMapping({ header: headerKey, mapping: next })}
            />
            <CheckboxField
              label="Send each link now"
              hint="By email to an address, by SMS to a phone number; otherwise the links are only made, and their URLs are in the answer of the API, not here."
              checked={send}
              onChange={(event) => setSend(event.target.checked)}
            />
          </fieldset>
        )}

        {problem && <FormError message={problem} />}
        <FormError message={errors.form} />
        {/* Once a run started, these rows are a campaign: another check would be of a new one. */}
        {parsed && !run && (
          <div className="form-actions">
            <button type="submit" disabled={Boolean(problem) || checking || running}>
              {checking ? 'Checking…' : '3. Check every row'}
            </button>
            <p className="muted">A dry run: nothing is created, no user and no message.</p>
          </div>
        )}
      </form>

      {checked && !run && <DryRunResult answer={checked} send={send} onCreate={create} />}
      {run && <RunProgress run={run} />}
    </section>
  );
}

function DryRunResult({
  answer,
  send,
  onCreate,
}: {
  answer: DryRunAnswer;
  send: boolean;
  onCreate: () => void;
}) {
  const failed = answer.data.filter((row) => row.error);
  const { would_create: good } = answer.summary;
  return (
    <section className="campaign-check" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">The dry run</h2>
      <p role="status">
        {formatCount(good)} {good === 1 ? 'row' : 'rows'} would make a link
        {failed.length > 0
          ? `; ${formatCount(failed.length)} ${failed.length === 1 ? 'row has an error' : 'rows have errors'} and would be skipped.`
          : '. No errors.'}
      </p>
      <RowErrors caption="Rows with errors (counted from the first row under the header)" rows={failed} />
      {good > 0 && (
        <div className="form-actions">
          <button type="button" className="primary" onClick={onCreate}>
            {send ? 'Create and send' : 'Create'} {formatCount(good)} {good === 1 ? 'link' : 'links'}
          </button>
          {failed.length > 0 && (
            <p className="muted">
              The rows with errors are skipped; fix them and run them as another campaign.
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function RunProgress({ run }: { run: Run }) {
  const { total, progress, summary, error } = run;
  return (
    <section className="campaign-run" aria-labelledby="run-title">
      <h2 id="run-title">Creating the links</h2>
      <label htmlFor="campaign-progress">
        {formatCount(progress.done)} of {formatCount(total)} rows
      </label>
      <progress id="campaign-progress" max={total} value={progress.done} />
      {!summary && !error && (
        <p className="muted">
          Stay on this page until it ends: leaving stops the run after its current batch.
        </p>
      )}
      <div aria-live="polite">
        {summary && (
          <p>
            <strong>Done:</strong> {formatCount(summary.created)} links created
            {summary.failed > 0 && `, ${formatCount(summary.failed)} rows failed`}.{' '}
            {summary.campaign_id && <Link href={`/${summary.campaign_id}`}>Open the campaign</Link>}
          </p>
        )}
      </div>
      {error && <FormError message={error} />}
      <RowErrors caption="Rows that failed" rows={progress.failed} />
    </section>
  );
}
