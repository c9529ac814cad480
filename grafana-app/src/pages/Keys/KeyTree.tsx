import React, { useCallback, useEffect, useRef, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, IconButton, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from './failure';
import { afterChild, childOf, prefixEnd, type Child } from './keyspace';

// Each skip-scan read asks for this many key names: a node whose children are single keys gets
// many children per read, one whose children are deep prefixes gets one per read, never more.
export const SCAN_LIMIT = 16;
// Children are found this many at a time ("Show more children").
export const CHILD_BATCH = 50;
// Past this many children the tree stops and sends the user to the paged key list of the node,
// which pages through any number of keys in bounded time per page.
export const MAX_TREE_CHILDREN = 500;

// What the tree knows of one node: the children found so far, and where the next one starts
// (undefined when every child is found).
type NodeState = { children: Child[]; next?: string; loading: boolean; error?: Failure };

// findChildren finds up to CHILD_BATCH more children of node, starting at start, by skip-scan:
// read a few key names from start, take the children they fall under, and continue after the
// last child (after every key under a branch), not through its keys. A node with 100,000 keys
// under a few branches costs a few reads.
async function findChildren(
  scan: (start: string, end: string) => Promise<{ kvs: Array<{ key?: string }>; more: boolean }>,
  node: string,
  start: string
): Promise<{ children: Child[]; next?: string }> {
  const end = prefixEnd(node);
  const children: Child[] = [];
  let from = start;
  for (;;) {
    const page = await scan(from, end);
    const before = children.length;
    for (const kv of page.kvs) {
      // Keys that are not UTF-8 have no text name to show or to scan from: the key list shows them.
      if (kv.key === undefined) {
        continue;
      }
      const child = childOf(node, kv.key);
      const last = children[children.length - 1];
      if (last && last.path === child.path) {
        continue;
      }
      if (children.length === CHILD_BATCH) {
        return { children, next: afterChild(last) };
      }
      children.push(child);
    }
    const last = children[children.length - 1];
    // A page that brought no new child (only keys that are not UTF-8) ends the scan, so it
    // cannot read the same page again.
    if (!page.more || !last || children.length === before) {
      return { children };
    }
    from = afterChild(last);
  }
}

type Props = {
  cluster: string;
  root: string;
  // selected is the node whose keys the list shows; openKey the key the viewer shows.
  selected: string;
  openKey?: string;
  onSelect: (node: string) => void;
  onOpenKey: (key: string) => void;
  // reloadKey changes when the keyspace was changed by the page (a put or a delete).
  reloadKey: number;
};

// KeyTree is the keyspace under root as a tree split on "/", loaded lazily: a node's children
// are found when it is opened, CHILD_BATCH at a time, by skip-scan. Nested lists of buttons (a
// disclosure per prefix, aria-expanded), so Tab and Enter reach everything.
export function KeyTree({ cluster, root, selected, openKey, onSelect, onOpenKey, reloadKey }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [nodes, setNodes] = useState<Record<string, NodeState>>({});
  const [expanded, setExpanded] = useState<Set<string>>(new Set([root]));
  // epoch counts restarts of the tree: an answer for an older tree is dropped.
  const epoch = useRef(0);

  const load = useCallback(
    async (node: string, start: string, keep: Child[]) => {
      const mine = epoch.current;
      setNodes((n) => ({ ...n, [node]: { children: keep, next: start, loading: true } }));
      try {
        const found = await findChildren((from, end) => api.scanKeyNames(cluster, from, end, SCAN_LIMIT), node, start);
        if (epoch.current === mine) {
          setNodes((n) => ({
            ...n,
            [node]: { children: [...keep, ...found.children], next: found.next, loading: false },
          }));
        }
      } catch (err) {
        if (epoch.current !== mine) {
          return;
        }
        setNodes((n) => ({ ...n, [node]: { children: keep, next: start, loading: false, error: failure(err) } }));
      }
    },
    [api, cluster]
  );

  // A new cluster, root or change to the keyspace starts the tree again from its root.
  useEffect(() => {
    epoch.current++;
    setNodes({});
    setExpanded(new Set([root]));
    load(root, root || '\0', []);
  }, [load, root, reloadKey]);

  const toggle = (path: string) => {
    const open = new Set(expanded);
    if (open.has(path)) {
      open.delete(path);
    } else {
      open.add(path);
      if (!nodes[path]) {
        load(path, path, []);
      }
    }
    setExpanded(open);
  };

  const renderChildren = (node: string, depth: number): React.ReactNode => {
    const st = nodes[node];
    if (!st) {
      return null;
    }
    return (
      <ul className={styles.group}>
        {st.children.map((c) => (
          <li key={c.path} data-testid={testIds.keys.treeNode(c.path)}>
            <div className={styles.item} style={{ paddingLeft: depth * 16 }}>
              {c.branch ? (
                <IconButton
                  name={expanded.has(c.path) ? 'angle-down' : 'angle-right'}
                  aria-label={`${expanded.has(c.path) ? 'Collapse' : 'Expand'} ${c.path}`}
                  aria-expanded={expanded.has(c.path)}
                  onClick={() => toggle(c.path)}
                />
              ) : (
                <span className={styles.leafIcon} />
              )}
              <button
                type="button"
                className={cx(styles.name, (c.branch ? c.path === selected : c.path === openKey) && styles.selected)}
                onClick={() => (c.branch ? onSelect(c.path) : onOpenKey(c.path))}
                aria-current={(c.branch ? c.path === selected : c.path === openKey) || undefined}
                title={c.path}
              >
                {c.name || '(the prefix itself)'}
              </button>
            </div>
            {c.branch && expanded.has(c.path) && renderChildren(c.path, depth + 1)}
          </li>
        ))}
        {st.loading && <li className={styles.note}>Loading…</li>}
        {st.error && (
          <li className={styles.note} data-testid={testIds.keys.treeError}>
            <FailureText f={st.error} />{' '}
            <Button size="sm" variant="secondary" onClick={() => load(node, st.next ?? node, st.children)}>
              Retry
            </Button>
          </li>
        )}
        {!st.loading && !st.error && st.children.length === 0 && <li className={styles.note}>No keys.</li>}
        {!st.loading && !st.error && st.next !== undefined && st.children.length < MAX_TREE_CHILDREN && (
          <li className={styles.note}>
            <Button
              size="sm"
              variant="secondary"
              onClick={() => load(node, st.next!, st.children)}
              data-testid={testIds.keys.treeMore(node)}
            >
              Show more children
            </Button>
          </li>
        )}
        {!st.loading && st.next !== undefined && st.children.length >= MAX_TREE_CHILDREN && (
          <li className={styles.note}>
            Over {MAX_TREE_CHILDREN} children:{' '}
            <Button size="sm" variant="secondary" onClick={() => onSelect(node)}>
              Page through them in the key list
            </Button>
          </li>
        )}
      </ul>
    );
  };

  return (
    <div className={styles.tree} data-testid={testIds.keys.tree}>
      <div className={styles.item}>
        <button
          type="button"
          className={cx(styles.name, selected === root && styles.selected)}
          onClick={() => onSelect(root)}
          data-testid={testIds.keys.treeNode(root)}
        >
          {root || '(all keys)'}
        </button>
      </div>
      {renderChildren(root, 1)}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tree: css({ fontFamily: theme.typography.fontFamilyMonospace, overflow: 'auto', maxHeight: 600 }),
  group: css({ listStyle: 'none', margin: 0, padding: 0 }),
  item: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), minHeight: theme.spacing(3) }),
  leafIcon: css({ display: 'inline-block', width: theme.spacing(2) }),
  name: css({
    background: 'none',
    border: 'none',
    color: theme.colors.text.primary,
    fontFamily: 'inherit',
    cursor: 'pointer',
    padding: theme.spacing(0, 0.5),
    textAlign: 'left',
    '&:hover': { background: theme.colors.action.hover },
  }),
  selected: css({ background: theme.colors.action.selected, fontWeight: theme.typography.fontWeightMedium }),
  note: css({ padding: theme.spacing(0.5, 0, 0.5, 3), color: theme.colors.text.secondary }),
});
