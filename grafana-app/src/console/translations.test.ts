import { t } from '@grafana/i18n';
import { initConsoleTranslations } from './translations';

test('interpolated values are shown as they are, not HTML-escaped', async () => {
  await initConsoleTranslations();
  expect(
    t('grafana-ui.confirm-content.placeholder', 'Type "{{confirmPromptText}}" to confirm', {
      confirmPromptText: '/registry/pods/',
    })
  ).toBe('Type "/registry/pods/" to confirm');
});
