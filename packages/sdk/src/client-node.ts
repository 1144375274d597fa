/**
 * The client as Node.js gets it (`@latchkey/sdk` under Node, and `@latchkey/sdk/node`): the same client, whose
 * `signInTokens` and `webhooks` also have the synchronous, node:crypto methods.
 */
import { type LatchkeyOptions, Latchkey as PortableLatchkey } from './client.js';
import { SignInTokens } from './sign-in-tokens-node.js';
import { Webhooks } from './webhooks-node.js';

export class Latchkey extends PortableLatchkey {
  override readonly signInTokens: SignInTokens;
  override readonly webhooks: Webhooks;

  constructor(options: LatchkeyOptions) {
    super(options);
    this.signInTokens = new SignInTokens(this.baseUrl);
    this.webhooks = new Webhooks();
  }
}
