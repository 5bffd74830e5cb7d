import type { Env } from './env.js';

const REDACTED = '[redacted]';

/** Settings whose value is a secret, by the naming every Custos secret follows. */
const SECRET_SETTING = /(PRIVATE_KEY|PASSWORD|SECRET|_PIN)$/;
/** URL query parameters that carry credentials (`?apikey=`, `?password=`, `?token=`). */
const SECRET_PARAMETER = /key|pass|secret|token/i;
/** Hosted RPC endpoints carry their API key in the path (`/v3/<key>`, `/v2/<key>`). */
const KEY_IN_PATH = new Set(['RPC_URL']);

/**
 * The effective configuration (defaults applied) as start-up logs it: every setting with its value, secrets
 * redacted (passwords, PINs, private keys, webhook secrets, credentials inside URLs), and what runs where.
 */
export function describeConfiguration(env: Env): Record<string, unknown> {
  const settings = Object.fromEntries(
    Object.entries(env)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, redact(name, value)]),
  );
  return {
    database: env.DATABASE_URL ? 'external' : 'embedded',
    chain: env.RPC_URL ? 'external' : 'embedded',
    signer: env.SIGNER ?? 'local',
    operator: env.OPERATOR_KMS_KEY_ID
      ? 'aws-kms'
      : env.OPERATOR_PKCS11_KEY_LABEL
        ? 'pkcs11'
        : env.OPERATOR_PRIVATE_KEY
          ? 'private-key'
          : 'anvil-development-key',
    settings,
  };
}

function redact(name: string, value: unknown): unknown {
  if (SECRET_SETTING.test(name)) return REDACTED;
  if (name === 'REGULATOR_JWT_PUBLIC_KEY') return 'PEM public key';
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return redactUrl(name, value);
  return value;
}

function redactUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return REDACTED;
  }
  if (url.password) url.password = REDACTED;
  if (KEY_IN_PATH.has(name) && url.pathname !== '/') url.pathname = `/${REDACTED}`;
  for (const [parameter] of url.searchParams) {
    if (KEY_IN_PATH.has(name) || SECRET_PARAMETER.test(parameter)) url.searchParams.set(parameter, REDACTED);
  }
  return decodeURI(url.toString());
}
