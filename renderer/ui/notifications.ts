import type { NewMail } from '../sync/engine';
import { senderName } from './format';

/**
 * A desktop notification for new mail, through the page's Notification API
 * (Electron shows it as a system notification). Asked for once; if the user
 * says no, Twinbox stays quiet.
 */
export function notifyNewMail(news: NewMail, accountName: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const title = news.count === 1 ? `New mail in ${accountName}` : `${news.count} new messages in ${accountName}`;
  const body = news.newest ? `${senderName(news.newest.from)}: ${news.newest.subject || '(no subject)'}` : '';
  new Notification(title, { body, tag: `twinbox-${news.accountId}` });
}

export function askToNotify(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}
