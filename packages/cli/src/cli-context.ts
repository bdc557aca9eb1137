import { ApiClient } from './client/api-client.js';
import { clientConfigFile, loadClientConfig } from './client/client-config.js';
import { ClientCredentials } from './client/client-credentials.js';

/** What commands share: the API client, created on first use (so `walt help` needs no server). */
export class CliContext {
  private client?: Promise<ApiClient>;

  api(): Promise<ApiClient> {
    this.client ??= loadClientConfig().then((c) => new ApiClient(c, new ClientCredentials(clientConfigFile())));
    return this.client;
  }

  out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
}
