"""create_from_data with cvat-sdk's data_params keys, including ones the server ignores."""

import os
from pathlib import Path

from cvat_sdk import make_client
from cvat_sdk.core.proxies.tasks import ResourceType

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    task = client.tasks.create_from_data(
        spec={"name": "params", "labels": [{"name": "car"}]},
        resource_type=ResourceType.LOCAL,
        resources=images,
        data_params={
            "image_quality": 80,
            "frame_step": 2,
            "chunk_size": 5,
            "sorting_method": "natural",
            "use_cache": True,
            "use_zip_chunks": True,
            "copy_data": False,
            "start_frame": 0,
            "stop_frame": 2,
            "dataset_repository_url": "",
            "use_lfs": False,
        },
    )
    meta = task.get_meta()
    assert task.size == 2, task.size
    assert meta.image_quality == 80
    assert meta.frame_filter == "step=2"
    print(task.id, task.name, task.size, meta.image_quality, meta.frame_filter, meta.chunk_size)
    print([frame.name for frame in meta.frames])

    second = client.tasks.create({"name": "later", "labels": [{"name": "car"}]})
    second.upload_data(images, resource_type=ResourceType.LOCAL, params={"image_quality": 55})
    second.fetch()
    assert second.size == 3
    print(second.id, second.size, second.get_meta().image_quality)
