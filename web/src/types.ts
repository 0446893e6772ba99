// The JSON API's answers the pages use (docs/api.md, api/openapi.json).
export type Level = 'none' | 'at_risk' | 'significant' | 'serious';
export type Role = 'analyst' | 'practitioner' | 'manager' | 'ig_lead' | 'administrator';

export interface SessionInfo {
  user: string;
  agency: string;
  role: Role;
  csrf_token: string;
  must_enrol: boolean;
}

export interface LoginAnswer extends SessionInfo {
  totp_secret?: string;
  totp_uri?: string;
}

export interface Radar {
  children: number;
  by_level: Partial<Record<Level, number>>;
  by_district: Record<string, Partial<Record<Level, number>>>;
  cells: { district: string; level: Level; children: number }[];
}

export interface ChildEvent {
  id: number;
  date: string;
  kind: string;
  category: string;
  detail: string;
  agency: string;
  record_class: string;
}

export interface Evidence {
  event_id: number;
  date: string;
  kind: string;
  category: string;
  agency: string;
  record_class: string;
  source_record: string;
}

export interface Indicator {
  code: string;
  group: string;
  label: string;
  current: boolean;
  points: number;
  evidence: Evidence[];
}

export interface Band {
  level: Level;
  threshold: number;
  points: number;
}

export interface WhatWouldChange {
  score_band: Level;
  up: Band | null;
  down: Band | null;
  rules: { code: string; level: Level; explanation: string; condition: string; applies: boolean }[];
  note: string;
}

export interface ChildView {
  person: { id: number; name: string; dob: string | null; sex: string; district: string };
  assessment: {
    as_of: string;
    level: Level;
    score: number;
    model_version: string;
    complete: boolean;
    indicators: Indicator[];
    explanation: string[];
    what_would_change: WhatWouldChange | null;
    override_level: Level | null;
    override_reason: string;
  } | null;
  explanation_complete: boolean;
  events: ChildEvent[];
  access_basis: string[];
}

export interface MentionBrief {
  mention_id: number;
  person_id: number;
  agency: string;
  record_class: string;
  name: string;
  dob: string | null;
}

export interface ReviewList {
  pending_total: number;
  aggregate_only: boolean;
  visible_pending: number;
  items?: {
    id: number;
    version: number;
    status: string;
    match_weight: number;
    match_probability: number;
    left: MentionBrief;
    right: MentionBrief;
  }[];
}

export interface WaterfallStep {
  field: string;
  level: string;
  weight: number;
  cumulative: number;
  term_frequency: boolean;
}

export interface ReviewItem {
  id: number;
  version: number;
  status: string;
  match_weight: number;
  match_probability: number;
  reason: string;
  decided_by: string;
  decided_at: string | null;
  same_person: boolean;
  left: Record<string, string | number | null>;
  right: Record<string, string | number | null>;
  explanation: { steps: WaterfallStep[]; match_weight: number; match_probability: number } | null;
}

export interface PersonRecords {
  records: { mention_id: number; record_id: number; agency: string; local_id: string; record_class: string; slot: string; role: string; access_basis: string }[];
  links: {
    left_mention_id: number;
    right_mention_id: number;
    source: 'review' | 'cluster';
    match_weight?: number;
    match_probability?: number;
    review?: { status: string; reason: string; decided_by: string; decided_at: string };
    fields?: { field: string; agreement: string }[];
  }[];
  links_truncated: boolean;
}

// The practitioner workflow (docs/api.md "Professional judgement" and "The practice workflow").
export interface AssessmentOverride {
  level: Level;
  reason: string;
  by: string;
}

export interface TrajectoryEntry {
  id: number;
  date: string;
  kind: 'pipeline' | 'screening' | 'override';
  model_version: string;
  level: Level;
  model_level: Level;
  score: number;
  override: AssessmentOverride | null;
  made_by: string;
  made_at: string;
  next_review: string | null;
  review_overdue: boolean;
}

export interface Trajectory {
  child_id: number;
  current: {
    assessment_id: number;
    level: Level;
    model_level: Level;
    overridden: boolean;
    trend: 'new' | 'rising' | 'steady' | 'falling';
    next_review: string | null;
    review_overdue: boolean;
  } | null;
  assessments: TrajectoryEntry[];
  screenings: {
    id: number;
    assessment_id: number;
    recorded_by: string;
    agency: string;
    recorded_at: string;
    observations: { indicator: string; date: string; source: string }[];
  }[];
}

export interface CaseloadChild {
  child_id: number;
  name: string;
  allocated_to: string;
  level: Level | null;
  model_level: Level | null;
  override: AssessmentOverride | null;
  assessed_on: string | null;
  trend: 'new' | 'rising' | 'steady' | 'falling' | null;
  next_review: string | null;
  review_overdue: boolean;
  open_alerts: number;
}

export interface Caseload {
  scope: 'own' | 'team';
  hidden: number;
  children: CaseloadChild[];
}

export interface CaseNote {
  id: number;
  subject: 'child' | 'person' | 'place';
  subject_id: number;
  author: string;
  agency: string;
  text: string;
  created_at: string;
}

export interface PracticeAction {
  id: number;
  version: number;
  title: string;
  owner_agency: string;
  owner_user: string;
  due: string;
  status: 'open' | 'done' | 'cancelled';
  status_reason: string;
  overdue: boolean;
  link: { kind: 'child' | 'person' | 'place' | 'network' | 'meeting'; id: number };
  created_by: string;
  created_agency: string;
  created_at: string;
  updated_at: string;
}

export interface Disruption {
  id: number;
  version: number;
  kind: string;
  person_id: number | null;
  place_id: number | null;
  issuing_agency: string;
  issued: string;
  expires: string | null;
  status: 'active' | 'expired' | 'revoked' | 'discharged';
  source_event_id: number | null;
  note: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  breaches: { id: number; date: string; note: string; recorded_by: string; recorded_at: string }[];
}

export interface AgendaItem {
  id: number;
  person_id: number | null;
  place_id: number | null;
  reasons: string[];
  source: 'generated' | 'added';
  note: string;
  removed: boolean;
  removal_reason: string;
  minutes: string;
  minutes_by: string;
  minutes_at: string | null;
  added_by: string;
  added_at: string;
}

export interface MeetingSummary {
  id: number;
  version: number;
  district: string;
  date: string;
  period_end: string;
  chair: string;
  chair_agency: string;
  panel: string[];
  status: 'planned' | 'held' | 'closed';
  created_by: string;
  created_at: string;
}

export interface Meeting extends MeetingSummary {
  agenda: AgendaItem[];
  listing_requests?: number;
}

export interface PractitionerAlert {
  id: number;
  kind: string;
  person_id: number | null;
  evidence: { kind: string; ids: number[] };
  detail: string;
  raised_at: string;
  why: string;
  acknowledged_at: string | null;
  note: string;
}
