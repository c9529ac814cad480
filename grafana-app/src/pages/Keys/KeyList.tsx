import React, { useCallback, useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import type { KeyValue } from '../../api/keys';
import { testIds } from '../../components/testIds';
import { VirtualList } from '../../components/VirtualList/VirtualList';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { base64ToBytes, hexOf } from './bytes';
import { failure, FailureText, type Failure } from './failure';

export const PAGE_SIZE = 500;
export const FIRST_PAGE_MARK = 'etcdmonitor:keys:first-page';
const ROW_HEIGHT = 28;
const LIST_HEIGHT = 560;

// A row of the list: a key's name, or, for a key that is not UTF-8, its bytes in hex (it can be
// seen but not opened: the API takes keys as text).
type Row = { key?: string; hex?: string };

// Memory stays bounded by keeping only key names: pages are read keys_only, and a value is read
// when its key is opened. 100,000 keys of 60 bytes are a few MB of strings; the DOM holds only
// the rows in view (VirtualList).
type Listing = { rows: Row[]; next?: string; loading: boolean; error?: Failure; revision?: number };

function rowOf(kv: KeyValue): Row {
  return kv.key !== undefined ? { key: kv.key } : { hex: hexOf(base64ToBytes(kv.key_base64 ?? '')) };
}

type Props = {
  cluster: string;
  prefix: string;
  openKey?: string;
  onOpenKey: (key: string) => void;
};

// KeyList is every key under prefix, read PAGE_SIZE at a time with opsproxy's continue token
// (all pages at the first page's revision), loaded further as the user scrolls near the end or
// presses "Load more".
export function KeyList({ cluster, prefix, openKey, onOpenKey }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [listing, setListing] = useState<Listing>({ rows: [], loading: true });
  const [active, setActive] = useState(0);
  // gone is set on unmount; marked once the first page is on screen.
  const gone = useRef(false);
  const marked = useRef(false);

  // readPage reads the page at continueToken and answers the listing with it appended to keep.
  const readPage = useCallback(
    async (continueToken: string | undefined, keep: Row[], revision?: number): Promise<Listing> => {
      try {
        const page = await api.listKeyNames(cluster, prefix, PAGE_SIZE, continueToken);
        return {
          rows: [...keep, ...page.kvs.map(rowOf)],
          next: page.more ? page.continueToken : undefined,
          loading: false,
          revision: revision ?? page.revision,
        };
      } catch (err) {
        return { rows: keep, next: continueToken, loading: false, error: failure(err), revision };
      }
    },
    [api, cluster, prefix]
  );

  // The owner remounts the list (a React key) for another cluster, prefix or a changed keyspace;
  // an answer arriving after unmount is dropped.
  useEffect(() => {
    let mounted = true;
    (async () => {
      const first = await readPage(undefined, []);
      if (mounted) {
        setListing(first);
      }
    })();
    return () => {
      mounted = false;
      gone.current = true;
    };
  }, [readPage]);

  const loadPage = useCallback(
    async (continueToken: string | undefined, keep: Row[], revision?: number) => {
      setListing({ rows: keep, next: continueToken, loading: true, revision });
      const next = await readPage(continueToken, keep, revision);
      if (!gone.current) {
        setListing(next);
      }
    },
    [readPage]
  );

  // The first page of this listing is on screen: mark it for the browser test's timing.
  useEffect(() => {
    if (!listing.loading && listing.rows.length > 0 && !marked.current) {
      marked.current = true;
      performance.mark?.(FIRST_PAGE_MARK);
    }
  }, [listing]);

  const more = listing.next !== undefined && !listing.loading && !listing.error;
  const loadMore = useCallback(() => {
    if (more) {
      loadPage(listing.next, listing.rows, listing.revision);
    }
  }, [more, loadPage, listing]);

  const { rows } = listing;
  if (listing.loading && rows.length === 0) {
    return (
      <div data-testid={testIds.keys.loading}>
        <LoadingPlaceholder text="Loading keys…" />
      </div>
    );
  }
  if (listing.error && rows.length === 0) {
    return (
      <ErrorWithRetry
        title={`Could not list the keys under ${prefix || '(all keys)'}`}
        failure={<FailureText f={listing.error} />}
        onRetry={() => loadPage(undefined, [])}
        testId={testIds.keys.error}
        retryTestId={testIds.keys.retry}
      />
    );
  }
  if (rows.length === 0) {
    return (
      <Alert severity="info" title="No keys" data-testid={testIds.keys.empty}>
        There are no keys under {prefix ? <code>{prefix}</code> : 'this cluster'}.
      </Alert>
    );
  }

  const open = (i: number) => {
    const k = rows[i]?.key;
    if (k !== undefined) {
      onOpenKey(k);
    }
  };

  return (
    <div>
      <div className={styles.status} data-testid={testIds.keys.count} aria-live="polite">
        {rows.length.toLocaleString('en-US')} key{rows.length === 1 ? '' : 's'}
        {listing.next !== undefined ? ' loaded, more to come' : ''}
        {listing.revision ? ` at revision ${listing.revision}` : ''}
      </div>
      <VirtualList
        id="keys-list"
        label={`Keys under ${prefix || '(all keys)'}`}
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        height={Math.min(LIST_HEIGHT, rows.length * ROW_HEIGHT + 2)}
        activeIndex={active}
        onActiveChange={setActive}
        onChoose={open}
        onNearEnd={more ? loadMore : undefined}
        renderRow={(i) => {
          const r = rows[i];
          return r.key !== undefined ? (
            <span className={r.key === openKey ? styles.open : undefined}>{r.key}</span>
          ) : (
            <span className={styles.binary} title="This key is not UTF-8: shown as hex, it cannot be opened here">
              (not UTF-8) {r.hex}
            </span>
          );
        }}
        testId={testIds.keys.list}
        rowTestId={(i) => testIds.keys.row(rows[i].key ?? rows[i].hex ?? '')}
      />
      {listing.error && (
        <Alert severity="error" title="Could not load the next page" data-testid={testIds.keys.error}>
          <FailureText f={listing.error} />{' '}
          <Button
            variant="secondary"
            size="sm"
            onClick={() => loadPage(listing.next, rows, listing.revision)}
            data-testid={testIds.keys.retry}
          >
            Retry
          </Button>
        </Alert>
      )}
      {listing.next !== undefined && !listing.error && (
        <Button
          variant="secondary"
          className={styles.more}
          disabled={listing.loading}
          onClick={loadMore}
          data-testid={testIds.keys.loadMore}
        >
          {listing.loading ? 'Loading…' : `Load ${PAGE_SIZE} more`}
        </Button>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  status: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(0.5) }),
  open: css({ fontWeight: theme.typography.fontWeightBold }),
  binary: css({ color: theme.colors.text.secondary }),
  more: css({ marginTop: theme.spacing(1) }),
});
