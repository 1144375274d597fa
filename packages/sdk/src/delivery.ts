import type { Transport } from './http.js';
import type { DeliveryStatus, DeliveryTestResult } from './types.js';

/** How the server delivers email and SMS, and a check of it. */
export class Delivery {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** The transports the server sends with and their settings, every secret masked. */
  status(): Promise<DeliveryStatus> {
    return this.#http.request({ method: 'GET', path: '/v1/delivery/status' });
  }

  /** The checks `latchkey doctor` runs on both transports (connects and logs in; sends nothing). */
  test(): Promise<DeliveryTestResult> {
    return this.#http.request({ method: 'POST', path: '/v1/delivery/test', idempotent: true });
  }
}
