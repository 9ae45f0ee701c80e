// Which server URLs the remote engine accepts. Audio is personal data: it may travel in the clear only to this
// machine (loopback), everything else needs https; a key belongs in SecretStorage, never in the URL. The setting is
// an OpenAI-style base URL ("https://gpu.example.org/v1"); the transcription route is appended unless it is given.

export type EndpointCheck =
  | {
      readonly ok: true;
      /** Where the multipart POST goes. */
      readonly transcriptionUrl: string;
      /** scheme://host[:port], for messages, the status bar and the cache key. */
      readonly origin: string;
      readonly loopback: boolean;
    }
  | { readonly ok: false; readonly reason: string };

const ROUTE = '/audio/transcriptions';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host.replace(/^::ffff:/, ''));
  return !!v4 && Number(v4[1]) === 127 && v4.slice(1).every((part) => Number(part) <= 255);
}

export function checkRemoteEndpoint(raw: string): EndpointCheck {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'No server URL is set ("offlineDictation.remote.url").' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `"${text}" is not a URL. Write the server's base URL, e.g. https://gpu.example.org/v1.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `The server URL must start with https:// (it starts with ${url.protocol}//).` };
  if (url.username || url.password) return { ok: false, reason: 'The server URL must not hold a user name or password: set the key with "Dictation: Set Remote Engine Key…".' };
  if (url.search || url.hash) return { ok: false, reason: 'The server URL must not have a query or fragment (a key in the URL would be logged): set the key with "Dictation: Set Remote Engine Key…".' };
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback)
    return { ok: false, reason: `Audio would cross the network unencrypted: use https:// for ${url.hostname} (plain http is accepted only for this machine, e.g. http://127.0.0.1:8080/v1).` };
  const path = url.pathname.replace(/\/+$/, '');
  const transcriptionPath = path.endsWith(ROUTE) ? path : `${path}${ROUTE}`;
  return { ok: true, transcriptionUrl: `${url.origin}${transcriptionPath}`, origin: url.origin, loopback };
}
