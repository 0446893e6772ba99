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
