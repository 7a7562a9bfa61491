/**
 * Browser-like client properties. The same object is sent base64-encoded as `X-Super-Properties`
 * on REST and as `properties` in the gateway IDENTIFY, with a matching `User-Agent`: Discord's
 * anti-abuse systems weigh these heavily for user tokens (spec §1.1, §2.4).
 */

export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface ClientProperties {
  os: string;
  browser: string;
  device: string;
  system_locale: string;
  browser_user_agent: string;
  browser_version: string;
  os_version: string;
  referrer: string;
  referring_domain: string;
  referrer_current: string;
  referring_domain_current: string;
  release_channel: string;
  client_build_number: number;
  client_event_source: null;
}

export const defaultClientProperties: Readonly<ClientProperties> = Object.freeze({
  os: 'Windows',
  browser: 'Chrome',
  device: '',
  system_locale: 'en-US',
  browser_user_agent: BROWSER_USER_AGENT,
  browser_version: '131.0.0.0',
  os_version: '10',
  referrer: '',
  referring_domain: '',
  referrer_current: '',
  referring_domain_current: '',
  release_channel: 'stable',
  client_build_number: 350000,
  client_event_source: null,
});

export function superPropertiesHeader(properties: ClientProperties = defaultClientProperties): string {
  return Buffer.from(JSON.stringify(properties), 'utf8').toString('base64');
}
