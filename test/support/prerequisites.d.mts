export interface Prerequisite {
  id: string;
  what: string;
  for: string;
  packages: string[];
  present(): boolean;
  projects: string[];
}
export const CHROMIUM_PATH: string;
export const PROJECTS: string[];
export const prerequisites: Prerequisite[];
export function missingPrerequisites(): Prerequisite[];
export function blockedProjects(missing: Prerequisite[]): string[];
export function describeMissing(missing: Prerequisite[]): string;
