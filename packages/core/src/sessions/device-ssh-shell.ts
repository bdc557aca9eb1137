import ssh2 from 'ssh2';
import type { AuthenticationType, ClientChannel, PseudoTtyOptions } from 'ssh2';
import type { Frame, SessionChannel } from '@walt/session-protocol';
import { SessionPrompter } from './session-prompter.js';

/**
 * `walt device shell`: an SSH shell on a device that is not a node (a switch, an appliance). The
 * server's own key is tried first, then the device's password or keyboard-interactive questions,
 * asked through the session. The device's host key is not checked: the server knows no key for
 * devices it did not install (the original trusted the user's own ssh client there).
 */
export function deviceShell(channel: SessionChannel, target: { ip: string; name: string; user: string; privateKey: Buffer; pty: PseudoTtyOptions }): Promise<{ ch: ClientChannel; pending: Frame[] }> {
  const prompter = new SessionPrompter(channel);
  const client = new ssh2.Client();
  const order: AuthenticationType[] = ['publickey', 'keyboard-interactive', 'password'];
  let step = 0;
  // ssh2 takes false for "no more methods" (its types omit it).
  const noMore = false as unknown as AuthenticationType;
  return new Promise((resolve, reject) => {
    client.once('ready', () => {
      const pending = prompter.detach();
      client.shell(target.pty, (err, ch) => {
        if (err) {
          client.end();
          return reject(new Error(`${target.name}: ${err.message}`));
        }
        ch.once('close', () => client.end());
        resolve({ ch, pending });
      });
    });
    client.once('error', (e) => {
      prompter.detach();
      reject(new Error(`${target.name}: ${/authentication/i.test(e.message) ? `SSH authentication failed for user ${target.user}` : e.message}`));
    });
    channel.whenClosed.then(() => client.end()).catch(() => undefined);
    client.connect({
      host: target.ip,
      username: target.user,
      readyTimeout: 20_000,
      hostVerifier: () => true,
      authHandler: (methodsLeft, _partial, next) => {
        while (step < order.length) {
          const method = order[step++];
          if (methodsLeft && !methodsLeft.includes(method)) continue;
          if (method === 'publickey') return next({ type: 'publickey', username: target.user, key: target.privateKey });
          if (method === 'keyboard-interactive') {
            return next({
              type: 'keyboard-interactive',
              username: target.user,
              prompt: (_name, _instructions, _lang, prompts, finish) => {
                void (async () => {
                  const answers: string[] = [];
                  for (const p of prompts) answers.push((await prompter.ask(p.prompt)) ?? '');
                  finish(answers);
                })();
              },
            });
          }
          void prompter.ask(`${target.user}@${target.name}'s password: `).then((password) => next(password === undefined ? noMore : { type: 'password', username: target.user, password }));
          return;
        }
        return next(noMore);
      },
    });
  });
}
