import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

describe('the package entry', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(entry).sort()).toEqual(
      [
        'ConfigError',
        'VERSION',
        'WebhookVerificationError',
        'bootstrap',
        'buildServer',
        'errorCodes',
        'isErrorCode',
        'loadConfig',
        'openRuntime',
        'startDelivery',
        'startMaintenance',
        'verifyWebhook',
      ].sort(),
    );
  });
});
