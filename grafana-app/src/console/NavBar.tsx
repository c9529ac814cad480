import React from 'react';
import { NavLink } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import type { Whoami } from '../api';
import type { ConsolePage } from './pages';
import { consoleTestIds } from './testIds';

// NavBar links the pages the signed-in role may open, and says who is signed in.
export function NavBar({ pages, who, onSignOut }: { pages: ConsolePage[]; who: Whoami; onSignOut: () => void }) {
  const styles = useStyles2(getStyles);
  return (
    <header className={styles.bar} data-testid={consoleTestIds.nav.bar}>
      <span className={styles.brand}>etcd-monitor</span>
      <nav aria-label="Console pages">
        <ul className={styles.links}>
          {pages.map((p) => (
            <li key={p.route}>
              <NavLink
                to={`/${p.route}`}
                className={({ isActive }) => (isActive ? `${styles.link} ${styles.active}` : styles.link)}
                data-testid={consoleTestIds.nav.link(p.route)}
              >
                {p.title}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <span className={styles.user} data-testid={consoleTestIds.nav.user}>
        {who.user} ({who.role})
      </span>
      <Button variant="secondary" size="sm" icon="signout" onClick={onSignOut} data-testid={consoleTestIds.nav.signOut}>
        Sign out
      </Button>
    </header>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 2),
    background: theme.colors.background.primary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  brand: css({ fontWeight: theme.typography.fontWeightBold }),
  links: css({ display: 'flex', gap: theme.spacing(1), listStyle: 'none', margin: 0, padding: 0 }),
  link: css({
    display: 'block',
    padding: theme.spacing(0.5, 1),
    borderRadius: theme.shape.radius.default,
    color: theme.colors.text.primary,
    '&:hover': { background: theme.colors.action.hover },
  }),
  active: css({ background: theme.colors.action.selected, fontWeight: theme.typography.fontWeightMedium }),
  user: css({ marginLeft: 'auto', color: theme.colors.text.secondary }),
});
