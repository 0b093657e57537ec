-- Integrity rules Prisma's schema language cannot express (SPEC §4).

-- A pool never goes below zero nor above what was bought.
ALTER TABLE "license" ADD CONSTRAINT "license_capacity_nonnegative" CHECK ("capacity" >= 0);
ALTER TABLE "license" ADD CONSTRAINT "license_used_nonnegative" CHECK ("used" >= 0);
ALTER TABLE "license" ADD CONSTRAINT "license_used_within_capacity" CHECK ("used" <= "capacity");

-- At most one primary license per user.
CREATE UNIQUE INDEX "allocation_one_primary_per_user" ON "allocation" ("user_id") WHERE "kind" = 'primary';

-- The preference order and policy live in a single row.
ALTER TABLE "settings" ADD CONSTRAINT "settings_singleton" CHECK ("id" = 1);


-- The audit trail is append-only: the application never updates or deletes it.
CREATE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_event_no_update" BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();
CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();
