import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Router, RoutingError } from '../../server/cases/routing.ts';
import { readFolder } from '../../server/knowledge/folder.ts';
import { REPO } from '../helpers/hotline.ts';

const router = Router.load(path.join(REPO, 'cases', 'routing.yaml'));

describe('routing cases to departments (cases/routing.yaml)', () => {
  it('sends a case by its words, its category and its type, first matching rule first', () => {
    expect(router.route({ type: '求助', category: '城市管理/市容', description: '小区门口路灯坏了三天' })).toEqual({ department: 'CITY', because: 'rule 4' });
    expect(router.route({ type: '投诉', category: '市场监管/价格', description: '超市标价和结账不一样' })).toEqual({ department: 'MARKET', because: 'rule 6' });
    // The same category as a consultation is not a complaint: no rule, and nothing else to go on.
    expect(router.route({ type: '咨询', category: '市场监管/价格', description: '超市标价和结账不一样' })).toEqual({ department: 'CENTER', because: 'fallback' });
    // Words win before categories: a power cut reported under 城市管理 goes to the power company.
    expect(router.route({ type: '求助', category: '城市管理/市容', description: '整栋楼停电了' }).department).toBe('POWER');
    expect(router.route({ type: '投诉', category: '劳动权益/欠薪', description: '老板拖欠工资三个月' }).department).toBe('HRSS');
  });

  it('sends a case created from a knowledge article to that article’s department when no rule matches', () => {
    expect(router.route({ type: '咨询', category: '住房公积金/提取', description: '租房提取', articleDepartment: '示例市住房公积金管理中心' })).toEqual({ department: 'HOUSING_FUND', because: 'article' });
    // An article naming a department the catalogue lacks falls back to the centre.
    expect(router.route({ type: '咨询', category: '其他', description: '问问', articleDepartment: '外市某局' }).department).toBe('CENTER');
  });

  it('knows every department the shipped knowledge base names', () => {
    const { articles } = readFolder(path.join(REPO, 'knowledge'));
    const missing = [...new Set(articles.map((a) => a.department))].filter((d) => !router.file.departments.some((x) => x.name === d));
    expect(missing).toEqual([]);
  });

  it('refuses a rule for a department not in the catalogue, naming file and line', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hotline-routing-')), 'routing.yaml');
    writeFileSync(file, 'departments:\n  - { code: CENTER, name: 热线 }\nrules:\n  - { department: GHOST, keywords: [路灯] }\nfallback: CENTER\n');
    expect(() => Router.load(file)).toThrow(RoutingError);
    expect(() => Router.load(file)).toThrow(/routing\.yaml:4: rules\.0\.department: GHOST is not in the department catalogue/);
  });
});
