/**
 * alertmanager.yml: alerts grouped by alertname and instance, routed by severity to e-mail, and
 * critical ones also to Telegram when a chat is configured; critical inhibits warning on the same
 * instance. Secrets are placeholders filled in the guest before the daemon reads the file (any
 * character works: they are written as YAML double-quoted strings). Pure.
 */
import { renderYaml, yamlSecret } from "../proxmox/yaml-text";
import { duration, type SiteLabels } from "./types";

/** Placeholder for the SMTP password (filled from the stdin prelude). */
export const SMTP_PASSWORD_PLACEHOLDER = yamlSecret("ALERTMANAGER_SMTP_PASSWORD");
/** Placeholder for the Telegram bot token (filled from the stdin prelude). */
export const TELEGRAM_BOT_TOKEN_PLACEHOLDER = yamlSecret("ALERTMANAGER_TELEGRAM_BOT_TOKEN");

export interface EmailReceiverInput {
  /** SMTP relay as host:port, e.g. "smtp.gmail.com:587". */
  smarthost: string;
  /** Sender address. */
  from: string;
  /** Recipients; one message goes to all of them. */
  to: readonly string[];
  /** Log in to the relay (with the password from ALERTMANAGER_SMTP_PASSWORD); default true. */
  authenticate?: boolean;
  /** SMTP login name; default `from`. */
  authUsername?: string;
  /** Insist on STARTTLS; default true (never send the password in clear). */
  requireTls?: boolean;
}

export interface TelegramReceiverInput {
  /** Numeric chat id (a group's is negative), as the stack file gives it. */
  chatId: string;
  /** Bot API base URL; default Telegram's own. Tests point it at a local fake. */
  apiUrl?: string;
}

export interface AlertmanagerInput {
  /** Site labels, named in the e-mail subject. */
  site: SiteLabels;
  email: EmailReceiverInput;
  /** Critical alerts also go to this Telegram chat; absent = e-mail only. */
  telegram?: TelegramReceiverInput;
  /** Wait before the first notification of a new group, seconds; default 30. */
  groupWaitSeconds?: number;
  /** Wait before notifying about new alerts in a group, seconds; default 300. */
  groupIntervalSeconds?: number;
  /** Re-send a still-firing critical alert after this many seconds; default 3600. */
  criticalRepeatSeconds?: number;
  /** Re-send a still-firing warning after this many seconds; default 14400. */
  warningRepeatSeconds?: number;
}

/** Receiver names in the rendered file. */
export const RECEIVERS = { warning: "email", critical: "critical" } as const;

const emailAddress = /^[^\s@,<>"]+@[^\s@,<>"]+$/;

function validate(input: AlertmanagerInput): void {
  const problems: string[] = [];
  const { email, telegram } = input;
  if (!/^[\w.-]+:\d+$/.test(email.smarthost))
    problems.push(`email.smarthost: "${email.smarthost}" is not host:port`);
  if (!emailAddress.test(email.from)) problems.push(`email.from: "${email.from}" is not an e-mail address`);
  if (email.to.length === 0) problems.push("email.to: at least one recipient is needed");
  for (const [i, to] of email.to.entries()) {
    if (!emailAddress.test(to)) problems.push(`email.to[${i}]: "${to}" is not an e-mail address`);
  }
  if (telegram) {
    const id = Number(telegram.chatId);
    if (!/^-?\d+$/.test(telegram.chatId) || !Number.isSafeInteger(id)) {
      problems.push(`telegram.chatId: "${telegram.chatId}" is not a numeric chat id`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid alertmanager input:\n  ${problems.join("\n  ")}`);
}

/** The alertmanager.yml object (before YAML). */
export function alertmanagerConfig(input: AlertmanagerInput) {
  validate(input);
  const { email, telegram, site } = input;
  const authenticate = email.authenticate ?? true;
  const emailConfig = {
    to: email.to.join(", "),
    send_resolved: true,
    headers: {
      Subject: `[${site.client}/${site.stack}] {{ .Status | toUpper }} {{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}`,
    },
  };
  const telegramConfigs = telegram
    ? [
        {
          ...(telegram.apiUrl ? { api_url: telegram.apiUrl } : {}),
          bot_token: TELEGRAM_BOT_TOKEN_PLACEHOLDER,
          chat_id: Number(telegram.chatId),
          parse_mode: "HTML",
          send_resolved: true,
        },
      ]
    : [];
  return {
    global: {
      smtp_smarthost: email.smarthost,
      smtp_from: email.from,
      ...(authenticate
        ? {
            smtp_auth_username: email.authUsername ?? email.from,
            smtp_auth_password: SMTP_PASSWORD_PLACEHOLDER,
          }
        : {}),
      smtp_require_tls: email.requireTls ?? true,
      resolve_timeout: "5m",
    },
    route: {
      receiver: RECEIVERS.warning,
      group_by: ["alertname", "instance"],
      group_wait: duration(input.groupWaitSeconds ?? 30),
      group_interval: duration(input.groupIntervalSeconds ?? 300),
      repeat_interval: duration(input.warningRepeatSeconds ?? 14400),
      routes: [
        {
          receiver: RECEIVERS.critical,
          matchers: ['severity="critical"'],
          repeat_interval: duration(input.criticalRepeatSeconds ?? 3600),
        },
        { receiver: RECEIVERS.warning, matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["instance"],
      },
    ],
    receivers: [
      { name: RECEIVERS.warning, email_configs: [emailConfig] },
      {
        name: RECEIVERS.critical,
        email_configs: [emailConfig],
        ...(telegramConfigs.length > 0 ? { telegram_configs: telegramConfigs } : {}),
      },
    ],
  };
}

/** alertmanager.yml text (ALERTMANAGER_CONFIG_PATH). */
export function renderAlertmanagerConfig(input: AlertmanagerInput): string {
  return `# Rendered by proxmox-sites (monitoring): alert routing.\n${renderYaml(alertmanagerConfig(input), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  })}`;
}
