import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Router, RoutingError } from '../../server/cases/routing.ts';
import { readFolder } from '../../server/knowledge/folder.ts';
import { REPO } from '../helpers/hotline.ts';

const router = Router.load(path.join(REPO, 'cases', 'routing.yaml'));
const catalogue = router.file.departments.map((d) => ({ ...d, active: true }));

describe('routing cases to departments (cases/routing.yaml)', () => {
  it('sends a case by its words, its category and its type, first matching rule first', () => {
    expect(router.route({ type: '求助', category: '城市管理/市容', description: '小区门口路灯坏了三天' }, catalogue)).toEqual({ department: 'CITY', because: 'rule 4' });
    expect(router.route({ type: '投诉', category: '市场监管/价格', description: '超市标价和结账不一样' }, catalogue)).toEqual({ department: 'MARKET', because: 'rule 6' });
    // The same category as a consultation is not a complaint: no rule, and nothing else to go on.
    expect(router.route({ type: '咨询', category: '市场监管/价格', description: '超市标价和结账不一样' }, catalogue)).toEqual({ department: 'CENTER', because: 'fallback' });
    // Words win before categories: a power cut reported under 城市管理 goes to the power company.
    expect(router.route({ type: '求助', category: '城市管理/市容', description: '整栋楼停电了' }, catalogue).department).toBe('POWER');
    expect(router.route({ type: '投诉', category: '劳动权益/欠薪', description: '老板拖欠工资三个月' }, catalogue).department).toBe('HRSS');
  });

  it('sends a case created from a knowledge article to that article’s department when no rule matches', () => {
    expect(router.route({ type: '咨询', category: '住房公积金/提取', description: '租房提取', articleDepartment: '示例市住房公积金管理中心' }, catalogue)).toEqual({ department: 'HOUSING_FUND', because: 'article' });
    // An article naming a department the catalogue lacks falls back to the centre.
    expect(router.route({ type: '咨询', category: '其他', description: '问问', articleDepartment: '外市某局' }, catalogue).department).toBe('CENTER');
  });

  it('knows every department the shipped knowledge base names', () => {
    const { articles } = readFolder(path.join(REPO, 'knowledge'));
    const missing = [...new Set(articles.map((a) => a.department))].filter((d) => !router.file.departments.some((x) => x.name === d));
    expect(missing).toEqual([]);
  });

  it('passes over a department that takes no new cases: its rules, and articles naming it', () => {
    const withoutCity = catalogue.map((d) => (d.code === 'CITY' || d.code === 'HOUSING_FUND' ? { ...d, active: false } : d));
    // Rule 4 and 5 name CITY; no later rule matches, so the fallback desk takes it.
    expect(router.route({ type: '求助', category: '城市管理/市容', description: '小区门口路灯坏了三天' }, withoutCity)).toEqual({ department: 'CENTER', because: 'fallback' });
    expect(router.route({ type: '咨询', category: '住房公积金/提取', description: '租房提取', articleDepartment: '示例市住房公积金管理中心' }, withoutCity)).toEqual({ department: 'CENTER', because: 'fallback' });
    // A department the store knows but the file never listed is routed to like any other.
    expect(router.route({ type: '咨询', category: '其他', description: '问问', articleDepartment: '示例市新设局' }, [...catalogue, { code: 'NEW_BUREAU', name: '示例市新设局', active: true }])).toEqual({ department: 'NEW_BUREAU', because: 'article' });
  });

  it('refuses a rule for a department not in the catalogue, naming file and line', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hotline-routing-')), 'routing.yaml');
    writeFileSync(file, 'departments:\n  - { code: CENTER, name: 热线 }\nrules:\n  - { department: GHOST, keywords: [路灯] }\nfallback: CENTER\n');
    const loaded = Router.load(file);
    const known = [{ code: 'CENTER', name: '热线', active: true }];
    expect(() => loaded.checkAgainst(known)).toThrow(RoutingError);
    expect(() => loaded.checkAgainst(known)).toThrow(/routing\.yaml:4: rules\.0\.department: GHOST is not in the department catalogue/);
    // Once the store's catalogue has it (added by a supervisor), the rule is good.
    expect(() => loaded.checkAgainst([...known, { code: 'GHOST', name: '新部门', active: true }])).not.toThrow();
  });

  it('refuses a rule without conditions, naming file and line', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hotline-routing-')), 'routing.yaml');
    writeFileSync(file, 'rules:\n  - department: CENTER\nfallback: CENTER\n');
    expect(() => Router.load(file)).toThrow(/routing\.yaml:2: rules\.0: a rule needs at least one condition/);
  });
});
