import { Injectable } from '@nestjs/common';

/** How many sockets this process holds (room statistics); kept by the gateway. */
@Injectable()
export class SocketPresence {
  private count = 0;

  connected(): void {
    this.count += 1;
  }

  disconnected(): void {
    this.count = Math.max(0, this.count - 1);
  }

  connectedSockets(): number {
    return this.count;
  }
}
