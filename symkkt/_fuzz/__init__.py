"""Private helpers of :mod:`symkkt.fuzz`: strategies, an independent exact checker,
certificate mutations and the property implementations. Nothing here is trusted and the
kernel never imports it."""
