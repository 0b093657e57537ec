-- AlterTable
ALTER TABLE "settings" ADD COLUMN     "revision" BIGINT NOT NULL DEFAULT 0;

-- Hand-written (see docs/decisions.md "decision context cache"): the settings singleton always
-- exists, and every change to it or to group_mapping bumps settings.revision in the same
-- transaction, so each instance can cache the compiled mappings and know when they are stale.
INSERT INTO "settings" ("id", "preference_order", "policy", "updated_at")
VALUES (1, ARRAY['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'], '{}'::jsonb, now())
ON CONFLICT ("id") DO NOTHING;

CREATE FUNCTION settings_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.revision := OLD.revision + 1;
  RETURN NEW;
END;
$$;

CREATE TRIGGER settings_revision BEFORE UPDATE ON "settings"
  FOR EACH ROW EXECUTE FUNCTION settings_bump_revision();

CREATE FUNCTION group_mapping_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "settings" SET "updated_at" = now() WHERE "id" = 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER group_mapping_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "group_mapping"
  FOR EACH STATEMENT EXECUTE FUNCTION group_mapping_bump_revision();
