"""Ready-made auto-annotation functions built on torchvision models (extra ``[pytorch]``).

Each module has ``create(model_name, weights_name="DEFAULT", **kwargs)``, as in cvat-sdk:

* `torchvision_detection`: boxes (``rectangle`` labels) from a detection model;
* `torchvision_classification`: one tag per image from a classification model;
* `torchvision_instance_segmentation`: masks, or polygons with ``conv_mask_to_poly``;
* `torchvision_keypoint_detection`: skeletons from a keypoint model.

``model_name`` and ``weights_name`` are torchvision's names; ``kwargs`` go to
``torchvision.models.get_model``. The labels are the categories of the weights.
"""
