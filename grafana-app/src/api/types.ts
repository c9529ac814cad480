// Types of opsproxy's API (opsproxy/openapi.yaml), only the fields the pages use or show.

export type Cluster = {
  name: string;
  endpoints?: string[];
  reachable?: boolean;
  error?: string;
  cluster_id?: string;
  revision?: number;
};

export type EndpointStatus = {
  version?: string;
  db_size?: number;
  db_size_in_use?: number;
  leader?: string;
  is_leader?: boolean;
  is_learner?: boolean;
  raft_index?: number;
  raft_term?: number;
  raft_applied_index?: number;
  revision?: number;
  errors?: string[];
};

export type Endpoint = {
  member?: string;
  id?: string;
  endpoint: string;
  healthy: boolean;
  error?: string;
  reason?: 'refused' | 'tls' | 'auth' | 'timeout' | 'unreachable' | 'other';
  alarms?: string[];
  status?: EndpointStatus;
};

export type Endpoints = { healthy: number; total: number; endpoints: Endpoint[] };

export type Member = {
  id: string;
  name?: string;
  peer_urls?: string[];
  client_urls?: string[];
  is_learner?: boolean;
};

// MemberChange is the answer of adding, promoting or removing a member.
export type MemberChange = { member?: Member; members?: Member[] };

export type Alarm = { member_id: string; alarm: string };

export type Outcome = 'attempted' | 'succeeded' | 'failed' | 'denied';

export type AuditRecord = {
  seq: number;
  time: string;
  request_id?: string;
  client_request_id?: string;
  user?: string;
  token_id?: string;
  role?: string;
  source?: string;
  cluster?: string;
  operation: string;
  key?: string;
  range_end?: string;
  key_size?: number;
  key_sha256?: string;
  value_size?: number;
  outcome: Outcome;
  error?: string;
  duration_ns?: number;
};

// AuditFilter is the query of GET /api/v1/audit; times are RFC 3339.
export type AuditFilter = {
  from?: string;
  to?: string;
  user?: string;
  cluster?: string;
  operation?: string;
  outcome?: Outcome | '';
  request_id?: string;
};

export type AuditPage = { records: AuditRecord[]; next?: number };

export type AuditVerification = {
  ok: boolean;
  verification?: {
    anchor?: object;
    head?: object;
    checked?: number;
    break?: { seq: number; reason: string };
  };
  seal?: {
    checkpoints?: number;
    sealed?: number;
    witnesses?: object[];
    problems?: Array<{ seq: number; source?: string; reason: string }>;
  };
};
