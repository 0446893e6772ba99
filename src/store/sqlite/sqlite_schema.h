// Numbered schema migrations for the SQLite store. Append new migrations;
// never edit one that has shipped.
#pragma once

#include <array>
#include <string_view>

#include "../sql/migrate.h"  // Migration

namespace riskradar::store {

inline constexpr std::array<Migration, 17> kSqliteMigrations = {{
    {1, R"sql(
CREATE TABLE agency (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  area TEXT NOT NULL
);
CREATE TABLE import_batch (
  id INTEGER PRIMARY KEY,
  agency_code TEXT NOT NULL REFERENCES agency(code),
  file TEXT NOT NULL,
  file_hash TEXT NOT NULL,
  format TEXT NOT NULL,
  record_class TEXT NOT NULL,
  lawful_basis TEXT NOT NULL,
  rows_in INTEGER NOT NULL DEFAULT 0,
  landed INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX import_batch_file ON import_batch(agency_code, file_hash);
CREATE TABLE source_record (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES import_batch(id),
  agency_code TEXT NOT NULL REFERENCES agency(code),
  local_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  raw_json TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  record_class TEXT NOT NULL,
  lawful_basis TEXT NOT NULL,
  UNIQUE (agency_code, local_id, content_hash)
);
CREATE TABLE person_mention (
  id INTEGER PRIMARY KEY,
  source_record_id INTEGER NOT NULL REFERENCES source_record(id),
  slot TEXT NOT NULL,
  role TEXT NOT NULL,
  local_person_id TEXT NOT NULL,
  forename TEXT NOT NULL,
  surname TEXT NOT NULL,
  dob INTEGER,
  sex TEXT NOT NULL,
  postcode TEXT NOT NULL,
  nhs_number TEXT NOT NULL,
  upn TEXT NOT NULL
);
CREATE INDEX person_mention_record ON person_mention(source_record_id);
CREATE TABLE place_mention (
  id INTEGER PRIMARY KEY,
  source_record_id INTEGER NOT NULL REFERENCES source_record(id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  postcode TEXT NOT NULL,
  lat REAL,
  lon REAL
);
CREATE TABLE event (
  id INTEGER PRIMARY KEY,
  source_record_id INTEGER NOT NULL REFERENCES source_record(id),
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  date INTEGER NOT NULL,
  subject_mention_id INTEGER NOT NULL REFERENCES person_mention(id),
  associate_mention_id INTEGER REFERENCES person_mention(id),
  place_mention_id INTEGER REFERENCES place_mention(id),
  detail TEXT NOT NULL
);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES import_batch(id),
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL
);
CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  active INTEGER NOT NULL,
  display_name TEXT NOT NULL,
  dob INTEGER,
  sex TEXT NOT NULL,
  district TEXT NOT NULL,
  is_child INTEGER NOT NULL,
  person_of_concern INTEGER NOT NULL,
  mention_count INTEGER NOT NULL
);
CREATE TABLE mention_person (
  mention_id INTEGER PRIMARY KEY REFERENCES person_mention(id),
  person_id INTEGER NOT NULL REFERENCES person(id)
);
CREATE INDEX mention_person_person ON mention_person(person_id);
CREATE TABLE place (
  id INTEGER PRIMARY KEY,
  active INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  postcode TEXT NOT NULL,
  district TEXT NOT NULL,
  lat REAL,
  lon REAL
);
CREATE TABLE place_mention_place (
  place_mention_id INTEGER PRIMARY KEY REFERENCES place_mention(id),
  place_id INTEGER NOT NULL REFERENCES place(id)
);
CREATE TABLE link_review (
  left_mention_id INTEGER NOT NULL REFERENCES person_mention(id),
  right_mention_id INTEGER NOT NULL REFERENCES person_mention(id),
  match_weight REAL NOT NULL,
  match_probability REAL NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT,
  PRIMARY KEY (left_mention_id, right_mention_id)
);
CREATE TABLE linkage_run (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  persons INTEGER NOT NULL,
  places INTEGER NOT NULL,
  model_json TEXT NOT NULL
);
CREATE TABLE assessment (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person(id),
  as_of INTEGER NOT NULL,
  level TEXT NOT NULL,
  score REAL NOT NULL,
  model_version TEXT NOT NULL,
  indicators_json TEXT NOT NULL,
  explanation_json TEXT NOT NULL,
  override_level TEXT,
  override_reason TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX assessment_person ON assessment(person_id, id);
CREATE TABLE network_run (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  lone_offenders INTEGER NOT NULL
);
CREATE TABLE network_member (
  run_id INTEGER NOT NULL REFERENCES network_run(id),
  network_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  entity_id INTEGER NOT NULL
);
CREATE INDEX network_member_run ON network_member(run_id, network_id);
CREATE TABLE place_score (
  run_id INTEGER NOT NULL REFERENCES network_run(id),
  place_id INTEGER NOT NULL REFERENCES place(id),
  children_at_risk INTEGER NOT NULL,
  persons_of_concern INTEGER NOT NULL,
  events INTEGER NOT NULL,
  score REAL NOT NULL,
  of_concern INTEGER NOT NULL,
  reasons_json TEXT NOT NULL
);
CREATE TABLE audit_event (
  seq INTEGER PRIMARY KEY,
  at_utc TEXT NOT NULL,
  user_name TEXT NOT NULL,
  agency TEXT NOT NULL,
  role TEXT NOT NULL,
  purpose TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  leaf_hash TEXT NOT NULL
);
)sql"},
    // 2: the audit log becomes an RFC 6962 Merkle tree with signed checkpoints (existing rows are re-hashed
    // by SqliteStore::UpgradeAuditToMerkle after their v1 chain is verified; prev_hash is kept, unused);
    // users, sessions and the need-to-know facts the server checks.
    {2, R"sql(
CREATE TABLE audit_tree (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tree_size INTEGER NOT NULL,
  compact_range BLOB NOT NULL,
  root_hash TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TABLE audit_checkpoint (
  tree_size INTEGER PRIMARY KEY,
  root_hash TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TABLE app_user (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  agency_code TEXT NOT NULL REFERENCES agency(code),
  role TEXT NOT NULL CHECK (role IN ('analyst', 'practitioner', 'manager', 'ig_lead', 'administrator')),
  password_hash TEXT NOT NULL,
  totp_secret TEXT NOT NULL,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE user_session (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user(id),
  csrf_token TEXT NOT NULL,
  created_s INTEGER NOT NULL,
  last_seen_s INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX user_session_user ON user_session(user_id);
CREATE TABLE sharing_agreement (
  id INTEGER PRIMARY KEY,
  provider_agency TEXT NOT NULL REFERENCES agency(code),
  recipient_agency TEXT NOT NULL REFERENCES agency(code),
  data_class TEXT NOT NULL,
  purpose TEXT NOT NULL,
  lawful_basis TEXT NOT NULL,
  valid_until_s INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX sharing_agreement_recipient ON sharing_agreement(recipient_agency);
CREATE TABLE care_relationship (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user(id),
  person_id INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('allocated_case', 'mase_listing')),
  created_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX care_relationship_user ON care_relationship(user_id, person_id);
CREATE TABLE break_glass (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user(id),
  person_id INTEGER NOT NULL,
  reason TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  expires_at_s INTEGER NOT NULL,
  reviewed_by TEXT,
  reviewed_at TEXT
);
CREATE INDEX break_glass_user ON break_glass(user_id, person_id);
)sql"},
    // 3: administration, review queue, alerts. Review items get a stable id (never reused) and a version
    // (the ETag of If-Match), bumped by a trigger on every decision whatever writes it; sharing agreements can
    // be ended; care relationships record who allocated and ended them; break-glass reviews keep their outcome
    // and note; every break-glass grant raises an alert for the IG leads of the grantee's agency and of each
    // agency holding records on the person (a trigger, so no grant is ever without its alert); TOTP secrets
    // are sealed with a key file beside the store (SqliteStore::SealTotpSecretsLocked, after this SQL).
    {3, R"sql(
CREATE TABLE link_review_v3 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  left_mention_id INTEGER NOT NULL REFERENCES person_mention(id),
  right_mention_id INTEGER NOT NULL REFERENCES person_mention(id),
  match_weight REAL NOT NULL,
  match_probability REAL NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  UNIQUE (left_mention_id, right_mention_id)
);
INSERT INTO link_review_v3 (left_mention_id, right_mention_id, match_weight, match_probability, status, reason,
                            decided_by, decided_at)
  SELECT left_mention_id, right_mention_id, match_weight, match_probability, status, reason, decided_by, decided_at
  FROM link_review ORDER BY left_mention_id, right_mention_id;
DROP TABLE link_review;
ALTER TABLE link_review_v3 RENAME TO link_review;
CREATE INDEX link_review_status ON link_review(status);
CREATE TRIGGER link_review_version AFTER UPDATE OF status, reason, decided_by, decided_at ON link_review
  WHEN NEW.version = OLD.version
BEGIN
  UPDATE link_review SET version = OLD.version + 1 WHERE id = NEW.id;
END;
ALTER TABLE sharing_agreement ADD COLUMN ended_at TEXT;
ALTER TABLE sharing_agreement ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sharing_agreement ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX sharing_agreement_provider ON sharing_agreement(provider_agency);
ALTER TABLE care_relationship ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE care_relationship ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';
CREATE INDEX care_relationship_person ON care_relationship(person_id);
ALTER TABLE break_glass ADD COLUMN review_outcome TEXT CHECK (review_outcome IN ('appropriate', 'inappropriate'));
ALTER TABLE break_glass ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
CREATE TABLE ig_alert (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  agency_code TEXT NOT NULL REFERENCES agency(code),
  kind TEXT NOT NULL CHECK (kind IN ('break_glass')),
  break_glass_id INTEGER NOT NULL REFERENCES break_glass(id),
  created_at TEXT NOT NULL,
  UNIQUE (agency_code, break_glass_id)
);
CREATE INDEX ig_alert_grant ON ig_alert(break_glass_id);
INSERT INTO ig_alert (agency_code, kind, break_glass_id, created_at)
  SELECT u.agency_code, 'break_glass', b.id, b.granted_at FROM break_glass b JOIN app_user u ON u.id = b.user_id
  ORDER BY b.id;
CREATE TRIGGER break_glass_alert AFTER INSERT ON break_glass
BEGIN
  INSERT OR IGNORE INTO ig_alert (agency_code, kind, break_glass_id, created_at)
    SELECT agency_code, 'break_glass', NEW.id, NEW.granted_at FROM (
      SELECT u.agency_code FROM app_user u WHERE u.id = NEW.user_id
      UNION
      SELECT r.agency_code FROM mention_person mp JOIN person_mention m ON m.id = mp.mention_id
        JOIN source_record r ON r.id = m.source_record_id WHERE mp.person_id = NEW.person_id);
END;
)sql"},
    // 5: retention (legal holds). Numbered 5 so that 3 and 4 can land from parallel work in either order.
    {5, R"sql(
CREATE TABLE legal_hold (
  id INTEGER PRIMARY KEY,
  scope TEXT NOT NULL CHECK (scope IN ('person', 'agency', 'batch')),
  target TEXT NOT NULL,
  reason TEXT NOT NULL,
  placed_by TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  released_by TEXT,
  released_at TEXT
);
)sql"},
    // 6: a child's chronology is found from their mentions (subject or associate of an event); without these
    // indexes every child view scanned the whole event table twice. (6: 4 may still land from parallel work.)
    {6, R"sql(
CREATE INDEX event_subject_mention ON event(subject_mention_id);
CREATE INDEX event_associate_mention ON event(associate_mention_id) WHERE associate_mention_id IS NOT NULL;
)sql"},
    // 7: the radar generation (assessments.h RadarGeneration): one row, bumped by triggers in the same
    // transaction as any change to what the radar counts (assessments; a person's active, is_child or
    // district), whichever connection or process makes it. The server caches the radar keyed on it; audit
    // appends do not touch it.
    {7, R"sql(
CREATE TABLE radar_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO radar_generation (id, n) VALUES (1, 1);
CREATE TRIGGER radar_assessment_insert AFTER INSERT ON assessment
BEGIN
  UPDATE radar_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER radar_assessment_update AFTER UPDATE ON assessment
BEGIN
  UPDATE radar_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER radar_assessment_delete AFTER DELETE ON assessment
BEGIN
  UPDATE radar_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER radar_person_insert AFTER INSERT ON person
BEGIN
  UPDATE radar_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER radar_person_update AFTER UPDATE OF id, active, is_child, district ON person
  WHEN OLD.id IS NOT NEW.id OR OLD.active IS NOT NEW.active OR OLD.is_child IS NOT NEW.is_child
    OR OLD.district IS NOT NEW.district
BEGIN
  UPDATE radar_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER radar_person_delete AFTER DELETE ON person
BEGIN
  UPDATE radar_generation SET n = n + 1 WHERE id = 1;
END;
)sql"},
    // 8: separation of duties. A care relationship, a MASE listing, an account grant (a new account of any
    // role), a role change or a credential reset is a request that a second, authorised person approves (access layer,
    // access/administration.h); the change is applied in the approval's unit of work. An account created or
    // reset that way must enrol (a new password and TOTP secret) at its first sign-in, with a one-time code
    // in two halves: one shown to the requester, one to the approver (their Argon2id hashes are kept here).
    {8, R"sql(
CREATE TABLE approval_request (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('care_relationship', 'mase_listing', 'account_grant', 'role_change', 'credential_reset')),
  requested_by TEXT NOT NULL,
  requester_agency TEXT NOT NULL,
  subject_user TEXT NOT NULL,
  subject_agency TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '',
  person_id INTEGER,
  reason TEXT NOT NULL,
  enrol_part_hash TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn', 'expired')),
  created_at TEXT NOT NULL,
  created_s INTEGER NOT NULL,
  expires_s INTEGER NOT NULL,
  decided_by TEXT NOT NULL DEFAULT '',
  decided_at TEXT,
  decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX approval_request_state ON approval_request(state, subject_agency);
CREATE UNIQUE INDEX approval_request_one_pending ON approval_request(kind, subject_user, COALESCE(person_id, 0))
  WHERE state = 'pending';
ALTER TABLE app_user ADD COLUMN must_enrol INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN enrol_hash TEXT NOT NULL DEFAULT '';
)sql"},
    // 9: event linkage (linkage/events.h): a source event that is the same real-world event as another points
    // at that event's representative (its smallest source event id). Events that joined none have no row. A
    // deleted event (retention) takes its links with it; the next link run resolves again.
    {9, R"sql(
CREATE TABLE event_link (
  event_id INTEGER PRIMARY KEY REFERENCES event(id) ON DELETE CASCADE,
  resolved_event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  CHECK (event_id <> resolved_event_id)
);
CREATE INDEX event_link_resolved ON event_link(resolved_event_id);
)sql"},
    // 10: the VOLT graph's per-person measures and offender priority (issue 12 items 4 and 5), one row per
    // person of concern per network run, with the score's breakdown; and the priority model's version per run.
    {10, R"sql(
CREATE TABLE person_priority (
  run_id INTEGER NOT NULL REFERENCES network_run(id),
  person_id INTEGER NOT NULL REFERENCES person(id),
  network_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  priority REAL NOT NULL,
  suspected_offender INTEGER NOT NULL,
  children_linked INTEGER NOT NULL,
  children_serious INTEGER NOT NULL,
  children_significant INTEGER NOT NULL,
  children_at_risk INTEGER NOT NULL,
  contacts INTEGER NOT NULL,
  co_offenders INTEGER NOT NULL,
  degree INTEGER NOT NULL,
  places INTEGER NOT NULL,
  disruptions INTEGER NOT NULL,
  betweenness REAL NOT NULL,
  last_contact INTEGER,
  reasons_json TEXT NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
CREATE INDEX person_priority_person ON person_priority(person_id, run_id);
ALTER TABLE network_run ADD COLUMN priority_model TEXT NOT NULL DEFAULT '';
)sql"},
    // 11: an event's time of day where its record gives one (minutes after midnight; NULL: date only), and a
    // place score's time profile and quarter-on-quarter trend (issue 12 item 6; JSON, see PlaceProfile).
    {11, R"sql(
ALTER TABLE event ADD COLUMN time_of_day INTEGER CHECK (time_of_day IS NULL OR time_of_day BETWEEN 0 AND 1439);
ALTER TABLE place_score ADD COLUMN profile_json TEXT NOT NULL DEFAULT '{}';
)sql"},
    // 12: professional judgement (issue 13 items 1, 3, 7; store/judgement.h): each assessment says how it was made
    // (the assess stage, a practitioner's screening, an override), by whom, who made its override and when it is
    // next reviewed (days since the epoch; NULL for assessments made before this migration); a screening keeps
    // its observed indicators (JSON); case notes on a child, person or place. A screening goes with its
    // assessment when retention erases it. (12: 13 to 15 may land first from parallel work.)
    {12, R"sql(
ALTER TABLE assessment ADD COLUMN next_review INTEGER;
ALTER TABLE assessment ADD COLUMN override_by TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment ADD COLUMN kind TEXT NOT NULL DEFAULT 'pipeline'
  CHECK (kind IN ('pipeline', 'screening', 'override'));
ALTER TABLE assessment ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE TABLE screening (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL,
  assessment_id INTEGER NOT NULL REFERENCES assessment(id) ON DELETE CASCADE,
  recorded_by TEXT NOT NULL,
  agency_code TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  observations_json TEXT NOT NULL
);
CREATE INDEX screening_person ON screening(person_id, id);
CREATE TABLE case_note (
  id INTEGER PRIMARY KEY,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('child', 'person', 'place')),
  subject_id INTEGER NOT NULL,
  author TEXT NOT NULL,
  agency_code TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX case_note_subject ON case_note(subject_kind, subject_id, id);
)sql"},
    // 13: the practice workflow (issue 13 items 2, 4, 5, 6; store/practice.h): actions, the disruption tracker
    // with its breaches, MASE meetings with their agenda and minutes, practitioner alerts with their recipients
    // and the alert stage's baseline. Versions are the ETags of If-Match (bumped by the compare-and-set
    // updates). Numbered 13 so that 12, 14 and 15 can land from parallel work in any order.
    {13, R"sql(
CREATE TABLE practice_action (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  owner_agency TEXT NOT NULL,
  owner_user TEXT NOT NULL,
  due_days INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  status_reason TEXT NOT NULL DEFAULT '',
  link_kind TEXT NOT NULL CHECK (link_kind IN ('child', 'person', 'place', 'network', 'meeting')),
  link_id INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_agency TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX practice_action_link ON practice_action(link_kind, link_id);
CREATE TABLE disruption (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('cawn', 'sexual_risk_order', 'sexual_harm_prevention_order', 'hotel_notice',
                                     'licensing_review', 'closure_order', 'other')),
  person_id INTEGER,
  place_id INTEGER,
  issuing_agency TEXT NOT NULL,
  issued_days INTEGER NOT NULL,
  expires_days INTEGER,
  status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'revoked', 'discharged')),
  source_event_id INTEGER UNIQUE,
  note TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  CHECK (person_id IS NOT NULL OR place_id IS NOT NULL)
);
CREATE INDEX disruption_person ON disruption(person_id);
CREATE TABLE disruption_breach (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  disruption_id INTEGER NOT NULL REFERENCES disruption(id),
  date_days INTEGER NOT NULL,
  note TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX disruption_breach_disruption ON disruption_breach(disruption_id);
CREATE TABLE mase_meeting (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  district TEXT NOT NULL,
  date_days INTEGER NOT NULL,
  period_end_days INTEGER NOT NULL,
  chair TEXT NOT NULL,
  chair_agency TEXT NOT NULL,
  panel_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'closed')),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE mase_agenda_item (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  meeting_id INTEGER NOT NULL REFERENCES mase_meeting(id),
  person_id INTEGER,
  place_id INTEGER,
  reasons TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('generated', 'added')),
  note TEXT NOT NULL DEFAULT '',
  removed INTEGER NOT NULL DEFAULT 0,
  removal_reason TEXT NOT NULL DEFAULT '',
  minutes TEXT NOT NULL DEFAULT '',
  minutes_by TEXT NOT NULL DEFAULT '',
  minutes_at TEXT NOT NULL DEFAULT '',
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  CHECK (person_id IS NOT NULL OR place_id IS NOT NULL)
);
CREATE UNIQUE INDEX mase_agenda_item_subject ON mase_agenda_item(meeting_id, COALESCE(person_id, 0), COALESCE(place_id, 0));
CREATE TABLE practice_alert (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  person_id INTEGER NOT NULL,
  evidence_json TEXT NOT NULL,
  evidence_kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  raised_at TEXT NOT NULL
);
CREATE TABLE practice_alert_recipient (
  alert_id INTEGER NOT NULL REFERENCES practice_alert(id),
  user_name TEXT NOT NULL,
  why TEXT NOT NULL,
  acknowledged_at TEXT,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (alert_id, user_name)
);
CREATE INDEX practice_alert_recipient_user ON practice_alert_recipient(user_name, acknowledged_at);
CREATE TABLE practice_alert_baseline (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  baseline_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql"},
    // 14: ethnicity (issue 14 item 2): the Census 2021 high-level group a record states (core/ethnicity.h; '' when
    // none), and the resolved person's most often recorded one.
    {14, R"sql(
ALTER TABLE person_mention ADD COLUMN ethnicity TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN ethnicity TEXT NOT NULL DEFAULT '';
)sql"},
    // 15: the VOLT graph's typed, weighted, time-stamped edges per network run (issue 12 item 7), and the key
    // of the stable pseudonyms of network exports (32 random bytes drawn once, never shown).
    {15, R"sql(
CREATE TABLE network_edge (
  run_id INTEGER NOT NULL REFERENCES network_run(id),
  kind TEXT NOT NULL CHECK (kind IN ('child_adult', 'co_offending', 'person_place')),
  a_person_id INTEGER NOT NULL REFERENCES person(id),
  b_person_id INTEGER REFERENCES person(id),
  b_place_id INTEGER REFERENCES place(id),
  occasions INTEGER NOT NULL CHECK (occasions > 0),
  weight REAL NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  CHECK ((kind = 'person_place' AND b_place_id IS NOT NULL AND b_person_id IS NULL) OR
         (kind <> 'person_place' AND b_person_id IS NOT NULL AND b_place_id IS NULL)),
  CHECK (first_seen <= last_seen)
);
CREATE INDEX network_edge_a ON network_edge(run_id, a_person_id);
CREATE INDEX network_edge_b ON network_edge(run_id, b_person_id);
CREATE TABLE export_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  key BLOB NOT NULL CHECK (length(key) = 32)
);
INSERT INTO export_key (id, key) VALUES (1, randomblob(32));
)sql"},
    // 18: the quarantine round trip and batch revert (issue 18 items 7 and 8; store/imports.h): a batch keeps
    // its source file's layout (columns in order, encoding, delimiter) so quarantined rows can be exported in
    // the agency's own format; a quarantined row keeps its local record id and its resolution (automatic when a
    // later batch of the same agency and format lands a row with that id, or by hand with a reason). A reverted
    // batch keeps its row with status 'reverted'. (18: 16 and 17 may land from parallel work in any order.)
    {18, R"sql(
ALTER TABLE import_batch ADD COLUMN layout TEXT NOT NULL DEFAULT '';
ALTER TABLE quarantine ADD COLUMN local_id TEXT NOT NULL DEFAULT '';
ALTER TABLE quarantine ADD COLUMN resolved_at TEXT;
ALTER TABLE quarantine ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE quarantine ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE quarantine ADD COLUMN resolved_batch_id INTEGER;
CREATE INDEX quarantine_batch ON quarantine(batch_id);
CREATE INDEX quarantine_open_local_id ON quarantine(local_id) WHERE resolved_at IS NULL AND local_id <> '';
CREATE INDEX source_record_batch ON source_record(batch_id);
)sql"},
    // 19: the person-record generation (directory.h PersonRecordGeneration): one row, bumped by triggers in the
    // same transaction as any change to what a person's stored record is made of (a person row; which mentions
    // are linked to whom; a mention's fields; a source record's agency, class or local id, or its deletion),
    // whichever connection or process makes it. The server caches people's mention rows and record classes
    // keyed on it (access/person_cache.h) for the caseload, the MASE agenda and the practice lists. Inserting a
    // mention or a source record changes nobody's record until linkage links it, so imports do not bump it.
    // The meeting generation likewise moves with any write of a MASE meeting or agenda item (the server's cache
    // of the stored agenda, read by the whole panel at once).
    {19, R"sql(
CREATE TABLE person_record_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO person_record_generation (id, n) VALUES (1, 1);
CREATE TRIGGER person_record_person_insert AFTER INSERT ON person
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_person_update AFTER UPDATE ON person
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_person_delete AFTER DELETE ON person
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_link_insert AFTER INSERT ON mention_person
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_link_update AFTER UPDATE ON mention_person
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_link_delete AFTER DELETE ON mention_person
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_mention_update AFTER UPDATE ON person_mention
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_mention_delete AFTER DELETE ON person_mention
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_source_update AFTER UPDATE OF id, agency_code, record_class, local_id ON source_record
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER person_record_source_delete AFTER DELETE ON source_record
BEGIN
  UPDATE person_record_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TABLE meeting_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO meeting_generation (id, n) VALUES (1, 1);
CREATE TRIGGER meeting_insert AFTER INSERT ON mase_meeting
BEGIN
  UPDATE meeting_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER meeting_update AFTER UPDATE ON mase_meeting
BEGIN
  UPDATE meeting_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER meeting_delete AFTER DELETE ON mase_meeting
BEGIN
  UPDATE meeting_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER meeting_item_insert AFTER INSERT ON mase_agenda_item
BEGIN
  UPDATE meeting_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER meeting_item_update AFTER UPDATE ON mase_agenda_item
BEGIN
  UPDATE meeting_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER meeting_item_delete AFTER DELETE ON mase_agenda_item
BEGIN
  UPDATE meeting_generation SET n = n + 1 WHERE id = 1;
END;
)sql"},
    // The IG lead's "who opened this child's record" (GET /api/audit?target=person:12): newest first by target.
    {20, R"sql(
CREATE INDEX audit_event_target ON audit_event(target, seq);
)sql"},
}};

}  // namespace riskradar::store
