def test_world_builds(world, client_for):
    resp = client_for(world.rep).get("/leads/")
    assert resp.status_code == 200
    assert b"ALPHA-EAST-SECRET" in resp.content
    assert b"ALPHA-WEST-SECRET" not in resp.content
