package dev.oms.port;

/** Where an order stands, as the read model sees it. */
public enum OrderStatus {
  CREATED(false),
  STOCK_RESERVED(false),
  PAID(false),
  SHIPMENT_PREPARED(false),
  SHIPPED(false),
  FULFILLED(true),
  CANCELLED(true);

  private final boolean terminal;

  OrderStatus(boolean terminal) {
    this.terminal = terminal;
  }

  /** Fulfilled or cancelled: nothing more will happen to the order. */
  public boolean isTerminal() {
    return terminal;
  }
}
