import { t } from '../i18n';
import type { NewMail } from '../sync/engine';
import { senderName } from './format';

/**
 * A desktop notification for new mail, through the page's Notification API
 * (Electron shows it as a system notification). Asked for once; if the user
 * says no, Twinbox stays quiet.
 */
export function notifyNewMail(news: NewMail, accountName: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const title = t('mail:notification.newMail', { count: news.count, account: accountName });
  const body = news.newest ? t('mail:notification.body', { sender: senderName(news.newest.from), subject: news.newest.subject || t('common:noSubject') }) : '';
  new Notification(title, { body, tag: `twinbox-${news.accountId}` });
}

export function askToNotify(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}
