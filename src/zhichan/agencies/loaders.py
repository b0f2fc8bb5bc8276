from zhichan.core.dataload import LoadResult


def load_agencies(path):
    return LoadResult()
