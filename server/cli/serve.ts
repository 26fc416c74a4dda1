import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { createHotline } from '../main.ts';

/** `npm start`: run the hotline and tell the person at the terminal how to use it. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const hotline = await createHotline(config);
  await hotline.listen();
  const u = config.publicUrl;
  const lines = [
    '',
    `Hotline is running on port ${config.port} (store: ${hotline.store.dialect === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}).`,
    '',
    existsSync(path.join(config.uiDir, 'index.html'))
      ? `  Agent panel (agents, handlers, supervisors):          ${u}/`
      : `  Agent panel: not built (${config.uiDir}); run npm run build:ui`,
    `  Voice webhook (Twilio number → "A call comes in"):   POST ${u}/twilio/voice`,
    `  Live transcription callback (set by the flow):        POST ${u}/twilio/transcription`,
    `  Call status callback:                                 POST ${u}/twilio/voice/status`,
    `  Voice fallback URL:                                   POST ${u}/twilio/voice/fallback`,
    `  SMS webhook (Twilio number → "A message comes in"):   POST ${u}/twilio/sms`,
    `  Flow API for ops (Bearer token):                      ${u}/api/flows`,
    `  Knowledge search (Bearer token):                      ${u}/api/knowledge/search?q=社保卡丢了怎么办`,
    `  Knowledge base: ${hotline.knowledge.size} articles from ${config.knowledgeDir} (edits apply while running)`,
    `  Health / readiness / metrics:                         ${u}/healthz  ${u}/readyz  ${u}/metrics`,
    '',
    '  Try it without a phone:   npx hotline simulate            (or: npx hotline simulate --lang en-US)',
  ];
  if (config.devAuthToken) {
    lines.push(
      '',
      `  No TWILIO_AUTH_TOKEN is set, so webhooks are checked against a local development token`,
      `  stored in ${config.dataDir}/dev-twilio-auth-token: ${config.authToken}`,
      '  Unsigned webhooks are always refused. Set TWILIO_AUTH_TOKEN and PUBLIC_URL for a real number.',
    );
  }
  if (hotline.firstAdminPassword)
    lines.push('', `  First run: sign in as admin with the one-time password ${hotline.firstAdminPassword}`, `  (in the panel at ${u}/, or POST /api/login; change it there or with POST /api/password; it is shown only now).`);
  if (config.devOpsToken) lines.push(`  Ops API token (HOTLINE_OPS_TOKEN not set; stored in ${config.dataDir}/dev-ops-token): ${config.opsToken}`);
  for (const p of hotline.flowProblems) lines.push(`  ! flow refused: ${p}`);
  for (const w of hotline.calendarWarnings) lines.push(`  ! working-day calendar: ${w}`);
  const kbErrors = hotline.knowledge.currentProblems().filter((p) => p.severity === 'error');
  if (kbErrors.length) lines.push(`  ! ${kbErrors.length} knowledge article problem(s); run npx hotline kb lint`);
  console.log(lines.join('\n') + '\n');
  hotline.log.info({ port: config.port, publicUrl: u }, 'hotline listening');
  const stop = async (sig: string) => {
    hotline.log.info({ signal: sig }, 'shutting down');
    await hotline.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
