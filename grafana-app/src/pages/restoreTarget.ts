// RestoreTarget is what every restore into a new data directory asks for: the directory, and the
// member that will start from it.
export type RestoreTarget = {
  dataDir: string;
  memberName: string;
  peerUrls: string;
  initialCluster: string;
  initialClusterToken: string;
};

// CheckedTarget is a RestoreTarget that checkRestoreTarget took, trimmed and split.
export type CheckedTarget = {
  dataDir: string;
  memberName: string;
  peerUrls: string[];
  initialCluster: string;
  initialClusterToken: string;
};

// dataDirName is the form of a restored data directory's name that opsproxy takes: a plain name
// under its restore directory, never a path.
const dataDirName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

// checkRestoreTarget answers the target trimmed, or the first problem, naming the field: a plain
// data directory name, a member name, at least one peer URL. What more a restore checks (the
// URLs' form, its own options) its page checks after.
export function checkRestoreTarget(f: RestoreTarget): CheckedTarget | string {
  const dataDir = f.dataDir.trim();
  if (!dataDirName.test(dataDir)) {
    return 'Data directory: letters, digits, ".", "_" or "-", at most 128, not starting with a dot';
  }
  const memberName = f.memberName.trim();
  if (!memberName) {
    return 'Member name: must not be empty';
  }
  const peerUrls = f.peerUrls.split(/[\s,]+/).filter(Boolean);
  if (peerUrls.length === 0) {
    return 'Peer URLs: must not be empty';
  }
  return {
    dataDir,
    memberName,
    peerUrls,
    initialCluster: f.initialCluster.trim(),
    initialClusterToken: f.initialClusterToken.trim(),
  };
}
