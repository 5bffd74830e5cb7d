-- State every replica must agree on, kept in PostgreSQL (see src/cluster and README "Running in production").

-- API keys may expire: a key past its expiry is refused like a revoked one.
ALTER TABLE "api_keys" ADD COLUMN "expires_at" TIMESTAMPTZ(3);

-- Rate limits shared by every replica: one token bucket per limited key (an API key id, `public:<address>`, ...),
-- taken with one atomic UPSERT per request. UNLOGGED: no WAL, so a take commits without waiting for a disk flush;
-- the price is that buckets start full again after a crash or a failover to a standby, which rate limits can
-- afford. No index but the key: updates stay HOT. Buckets not touched for a minute are full again, carry no
-- information and are swept (src/auth/pgRateLimiter.ts), so the table holds about the keys seen in the last minutes.
CREATE UNLOGGED TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "refilled_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
) WITH (fillfactor = 70);

-- Replicas cache the active signing key and verified API keys. Every change to either, by Custos or by hand in SQL,
-- notifies them on commit (nothing on rollback): `pg_notify(channel, <the row's column>)`, the channel and column
-- given as the trigger's arguments. Replicas also re-read periodically, for notifications missed while their
-- listening connection was down.
CREATE FUNCTION "custos_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    PERFORM pg_notify(TG_ARGV[0], changed ->> TG_ARGV[1]);
    RETURN NULL;
END
$$;

CREATE TRIGGER "signing_keys_notify" AFTER INSERT OR UPDATE OR DELETE ON "signing_keys"
    FOR EACH ROW EXECUTE FUNCTION "custos_notify_change"('custos_signing_keys', 'address');

CREATE TRIGGER "api_keys_notify" AFTER UPDATE OR DELETE ON "api_keys"
    FOR EACH ROW EXECUTE FUNCTION "custos_notify_change"('custos_api_keys', 'id');
