"""Running newsbot as several processes: gateway roles by shard, workers, the launcher."""
