import type { Db } from './database.js';

/** A named point in time of one user (`walt log add-checkpoint`); `ts` in µs since the epoch. */
export interface Checkpoint {
  name: string;
  ts: number;
}

/** Persistence of log checkpoints, per user. */
export class CheckpointsRepository {
  private readonly getStmt;
  private readonly listStmt;
  private readonly insertStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT name, ts FROM checkpoints WHERE username = ? AND name = ?');
    this.listStmt = db.prepare('SELECT name, ts FROM checkpoints WHERE username = ? ORDER BY ts, name');
    this.insertStmt = db.prepare('INSERT INTO checkpoints (username, name, ts) VALUES (?, ?, ?)');
    this.deleteStmt = db.prepare('DELETE FROM checkpoints WHERE username = ? AND name = ?');
  }

  get(user: string, name: string): Checkpoint | undefined {
    return this.getStmt.get(user, name) as Checkpoint | undefined;
  }

  list(user: string): Checkpoint[] {
    return this.listStmt.all(user) as Checkpoint[];
  }

  /** Insert; false when the user already has a checkpoint of that name. */
  add(user: string, checkpoint: Checkpoint): boolean {
    try {
      this.insertStmt.run(user, checkpoint.name, checkpoint.ts);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw e;
    }
  }

  /** Delete; false when there was none. */
  remove(user: string, name: string): boolean {
    return this.deleteStmt.run(user, name).changes > 0;
  }
}
