import path from 'node:path';

/** Where a heart keeps things under its data folder (`<dataFolder>/heart/...`). */
export class InstancePaths {
  /** `<dataFolder>/heart` */
  readonly root: string;

  constructor(dataFolder: string) {
    this.root = path.resolve(dataFolder, 'heart');
  }

  /** The catalogue file. */
  get catalogue(): string {
    return path.join(this.root, 'catalogue.json');
  }

  /** Folder of one instance (holds `app` and `state`). */
  instance(instanceId: string): string {
    return path.join(this.root, 'instances', instanceId);
  }

  /** The unpacked package: the folder the instance runs in. */
  app(instanceId: string): string {
    return path.join(this.instance(instanceId), 'app');
  }

  /** The runtime's own folder for the instance (pid files...). */
  state(instanceId: string): string {
    return path.join(this.instance(instanceId), 'state');
  }

  /** The instance's stdout/stderr log. */
  log(instanceId: string): string {
    return path.join(this.root, 'logs', `${instanceId}.log`);
  }

  /** Where packages are fetched to before unpacking. */
  download(instanceId: string): string {
    return path.join(this.root, 'downloads', `${instanceId}.package`);
  }
}
