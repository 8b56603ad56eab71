import { randomUUID } from 'node:crypto';
import { post, webhookHeaders, webhookKey } from '@yishi/platform';

// A sign-in code goes out through the community's SMS gateway: a webhook of kind
// `sign-in-code`, signed as every notification is (X-Yishi-Signature over timestamp and body,
// with the webhook's key derived from the deployment secret). One attempt: a person who gets
// no text asks for a new code.

export interface SmsGateway {
  communityId: string;
  webhookId: string;
  url: string;
}

/** What the gateway receives. */
export interface SignInCodeMessage {
  deliveryId: string;
  communityId: string;
  kind: 'sign-in-code';
  /** E.164. */
  phone: string;
  code: string;
  expiresAt: string;
  /** The text to send, ready as it is. */
  text: string;
}

export interface SmsOptions {
  /** The deployment secret webhook keys derive from (`webhookSecret(config)`). */
  secret: Uint8Array;
  /** `WEBHOOK_ALLOW_PRIVATE`. */
  allowPrivate: readonly string[];
  timeoutMs?: number;
}

export async function sendSignInCode(
  gateway: SmsGateway,
  phone: string,
  code: string,
  expiresAt: Date,
  options: SmsOptions,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const message: SignInCodeMessage = {
    deliveryId: randomUUID(),
    communityId: gateway.communityId,
    kind: 'sign-in-code',
    phone,
    code,
    expiresAt: expiresAt.toISOString(),
    text: `【议事】您的登录验证码为 ${code}，5 分钟内有效。如非本人操作，请忽略本短信。`,
  };
  const body = JSON.stringify(message);
  try {
    const answer = await post(
      new URL(gateway.url),
      body,
      webhookHeaders({
        key: webhookKey(options.secret, gateway.communityId, gateway.webhookId),
        deliveryId: message.deliveryId,
        kind: message.kind,
        attempt: 1,
        body,
        timestamp: Math.floor(Date.now() / 1000),
        userAgent: 'Yishi-SignIn/1',
      }),
      {
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        allowPrivate: new Set(options.allowPrivate),
      },
    );
    return answer.status >= 200 && answer.status < 300
      ? { ok: true }
      : { ok: false, error: `HTTP ${answer.status}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'failed' };
  }
}
