import { useSendTest } from './webhook-hooks.js';

/** Sends a `webhook.test` to this endpoint now and says how the receiver answered. */
export function TestEventButton({ endpointId }: { endpointId: string }) {
  const test = useSendTest(endpointId);
  const attempt = test.data;
  return (
    <>
      <button type="button" onClick={() => test.mutate(undefined)} disabled={test.isPending}>
        {test.isPending ? 'Sending…' : 'Send test event'}
      </button>
      <p role="status" className="test-result">
        {test.error && <span className="field-error">{test.error.message}</span>}
        {attempt &&
          (attempt.ok
            ? `The test event was accepted (${attempt.status_code}, ${attempt.latency_ms} ms).`
            : `The test event failed: ${attempt.status_code ?? attempt.error ?? 'no answer'}${
                attempt.response_excerpt ? ` — ${attempt.response_excerpt}` : ''
              }.`)}
      </p>
    </>
  );
}
