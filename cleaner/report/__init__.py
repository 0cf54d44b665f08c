"""Reports rendered from an :class:`cleaner.model.ArticleResult`."""
