"""Tour stops: a mobile unit's calendar of visits to communes and villages."""
