"""kolba.sansio."""
