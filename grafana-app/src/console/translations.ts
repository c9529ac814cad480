import i18next from 'i18next';
import { initPluginTranslations } from '@grafana/i18n';
import { PLUGIN_ID } from '../constants';

// initConsoleTranslations sets up @grafana/i18n, through which @grafana/ui's texts go, as Grafana
// does for a plugin: English, the texts in the source. i18next is initialised first (@grafana/i18n
// keeps an instance that is already initialised) so that interpolated values are not HTML-escaped:
// React escapes what it renders, and i18next's own escaping showed a key prefix "/a/" as
// "&#x2F;a&#x2F;", as in ConfirmModal's 'Type "/a/" to confirm'.
export async function initConsoleTranslations(): Promise<void> {
  await i18next.init({
    resources: {},
    returnEmptyString: false,
    lng: 'en-US',
    interpolation: { escapeValue: false },
  });
  await initPluginTranslations(PLUGIN_ID);
}
