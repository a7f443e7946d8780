"""Connected biomedical devices: decoders of their measurements (pure) and the gateway."""
